import { makeSplits, type MnistSplits } from '../../src/core/data/mnist';
import { loadMnistFromDisk } from '../../src/node/nodeData';

let cached: Promise<Awaited<ReturnType<typeof loadMnistFromDisk>>> | undefined;

/** The real MNIST files (prepared by `npm run data`, which `npm test` runs first). */
export async function mnistSplits(trainLimit?: number, validationSize = 1000): Promise<MnistSplits> {
  cached ??= loadMnistFromDisk();
  const files = await cached;
  return makeSplits(files.train, files.test, validationSize, trainLimit);
}
