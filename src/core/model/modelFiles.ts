/**
 * model.json + weights, the files tfjs keeps a Layers model in: written and
 * read the same way by the page (downloads, a person's files) and by Node
 * (model folders), with one set of checks.
 */
import * as tf from '@tensorflow/tfjs';

/** Larger than any LeNet-5 could be: refused before it is read into memory. */
export const MAX_WEIGHTS_BYTES = 64 * 1024 * 1024;

/** The model.json that points at one weights file, `weightsPath`. */
export function toModelJson(artifacts: tf.io.ModelArtifacts, weightsPath: string): tf.io.ModelJSON {
  return {
    modelTopology: artifacts.modelTopology!,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };
}

/** The weights as one buffer, however many the artifacts hold. */
export function weightBytes(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  return artifacts.weightData ? tf.io.concatenateArrayBuffers(([] as ArrayBuffer[]).concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new ArrayBuffer(0);
}

export function parseModelJson(text: string, file: string): tf.io.ModelJSON {
  let parsed: tf.io.ModelJSON;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) {
    throw new Error(`${file} is not a TensorFlow.js Layers model (no modelTopology or weightsManifest)`);
  }
  return parsed;
}

/** The weights files model.json names, in order. */
export function weightPaths(json: tf.io.ModelJSON): string[] {
  return json.weightsManifest.flatMap((g) => g.paths);
}

/** Model artifacts from a parsed model.json and the contents of its weights files, which must add up exactly. */
export function toArtifacts(json: tf.io.ModelJSON, buffers: ArrayBuffer[], file: string): tf.io.ModelArtifacts {
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = specs.reduce((n, s) => n + tf.util.sizeFromShape(s.shape) * (s.dtype === 'float32' || s.dtype === 'int32' || !s.dtype ? 4 : 1), 0);
  if (weightData.byteLength !== expected) {
    throw new Error(`the weights file has ${weightData.byteLength} bytes, ${file} describes ${expected}: it is truncated or belongs to another model`);
  }
  const { modelTopology, format, generatedBy, convertedBy, userDefinedMetadata } = json;
  return { modelTopology, weightSpecs: specs, weightData, format, generatedBy, convertedBy, userDefinedMetadata };
}
