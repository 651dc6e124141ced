/**
 * tfjs's wasm backend as the app uses it in every page and worker: its
 * binaries served from our own origin (tfjs would otherwise fetch them from a
 * CDN; Vite copies them into the build), and no thread pool (tfjs rebuilds
 * its pthread script from Function.toString(), which minification breaks;
 * more cores are used by more workers instead).
 */
import * as tf from '../core/tf';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export function configureWasm(): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded,
  });
}

/** Where the app serves the MNIST files, for fetchSource(). */
export function mnistBaseUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}data/mnist/`, self.location.origin).href;
}
