/** tfjs in Node: the wasm backend with our training kernels (tfjs-node cannot be installed here). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendName } from '../core/backends';

export async function initNodeBackend(name: BackendName = 'wasm'): Promise<string> {
  if (name === 'webgl') throw new Error('webgl is not available in Node; use wasm or cpu');
  await initBackend(name);
  return tf.getBackend();
}
