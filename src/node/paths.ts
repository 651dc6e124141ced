import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in src/node/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** MNIST_DIR points the Node tools at another copy of the data. */
export const mnistDir = process.env.MNIST_DIR ?? join(repoRoot, 'public', 'data', 'mnist');
export const shippedModelsDir = join(repoRoot, 'public', 'models');
