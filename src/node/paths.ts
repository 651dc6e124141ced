import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in src/node/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mnistDir = join(repoRoot, 'public', 'data', 'mnist');
export const shippedModelsDir = join(repoRoot, 'public', 'models');
