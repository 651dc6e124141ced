import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName } from '../../src/kernels/backends';

/** Switches tfjs to `name` with our kernels and gradients registered. */
export async function useBackend(name: BackendName = 'wasm'): Promise<typeof tf> {
  await initBackend(name);
  return tf;
}
