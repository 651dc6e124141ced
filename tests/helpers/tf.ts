/**
 * tfjs as the app imports it (src/core/tf: no chained ops such as
 * `x.reshape()`, which only the full package registers), so that a chained
 * call in src fails here as it does in the app, on the backends tests use.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
export * from '../../src/core/tf';
