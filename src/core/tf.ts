/**
 * TensorFlow.js as this app uses it: the core ops and the Layers API. The
 * full package also bundles the model converter, tf.data and the CPU and
 * WebGL backends; each entry point imports the backends it runs on.
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
