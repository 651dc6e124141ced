/** tfjs in Node: the wasm backend with our training kernels (tfjs-node cannot be installed here). */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setFlagsFromString } from 'node:v8';
import { initBackend } from '../kernels/backends';
import { relaxedSimdSupported } from '../kernels/winograd';

// Node 20 runs wasm relaxed SIMD (our convolutions' fused multiply-add) only behind this flag;
// V8's flags are process-wide, so worker threads get it too, and it must be set before the module compiles.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');

export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  await initBackend(name);
  return tf.getBackend();
}
