/** tfjs in Node: the wasm backend with our training kernels (tfjs-node cannot be installed here). */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../kernels/backends';

export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  await initBackend(name);
  return tf.getBackend();
}
