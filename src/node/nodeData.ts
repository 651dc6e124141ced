/** MNIST for Node tools: the same loader as the browser, reading public/data/mnist with fs. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadMnist, type MnistFiles } from '../core/data/mnistLoader';
import { mnistDir } from './paths';

export async function loadMnistFromDisk(dir = mnistDir): Promise<MnistFiles> {
  return loadMnist(async (file) => {
    const path = join(dir, file);
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run \`npm run data\` first`);
    }
  });
}
