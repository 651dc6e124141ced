import * as tf from './tf';
import { initBackend, type BackendName } from '../../src/kernels/backends';

/** Switches tfjs to `name` with our kernels and gradients registered. */
export async function useBackend(name: BackendName = 'wasm'): Promise<typeof tf> {
  await initBackend(name);
  return tf;
}
