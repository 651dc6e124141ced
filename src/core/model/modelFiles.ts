/**
 * model.json + weights, the files tfjs keeps a Layers model in: written and
 * read the same way by the page (downloads, a person's files) and by Node
 * (model folders), with one set of checks.
 */
import * as tf from '../tf';
import { createModel, INPUT_SHAPE, modelNameOf } from './models';

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

/** The weights files model.json names, in order: relative paths that stay inside its folder. */
export function weightPaths(json: tf.io.ModelJSON, file = 'model.json'): string[] {
  const paths = json.weightsManifest.flatMap((g) => (g && Array.isArray(g.paths) ? g.paths : [null]));
  for (const p of paths) {
    if (typeof p !== 'string' || !p || /^([a-z][\w+.-]*:|[\\/])/i.test(p) || p.split(/[\\/]/).includes('..')) {
      throw new Error(`${file} names a weights file "${String(p)}" outside its folder`);
    }
  }
  return paths as string[];
}

/** Builds a model from checked artifacts and checks what was built; the caller owns it. */
export async function loadCheckedModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    checkArchitecture(model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** A built model we can use: 28x28x1 in, 10 classes out, and our weights where it says it is ours. */
function checkArchitecture(model: tf.LayersModel): void {
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  if (model.inputs.length !== 1 || !inShape || inShape.slice(1).join('x') !== INPUT_SHAPE.join('x')) {
    throw new Error(`the model takes input of shape [${inShape?.slice(1)}], not 28x28x1 digits`);
  }
  if (model.outputs.length !== 1 || !outShape || outShape[outShape.length - 1] !== 10) {
    throw new Error(`the model outputs [${outShape?.slice(1)}], not the 10 digit classes`);
  }
  const name = modelNameOf(model);
  if (name) {
    // It says it is one of ours: every weight must have the shape our factory gives.
    const reference = createModel(name);
    try {
      const want = reference.weights.map((w) => `${w.originalName}:${w.shape}`);
      const got = model.weights.map((w) => `${w.originalName}:${w.shape}`);
      if (want.join('|') !== got.join('|')) throw new Error(`its weights do not match the ${name} LeNet-5 architecture`);
    } finally {
      reference.dispose();
    }
  }
}

/** Model artifacts from a parsed model.json and the contents of its weights files, which must add up exactly. */
export function toArtifacts(json: tf.io.ModelJSON, buffers: ArrayBuffer[], file: string): tf.io.ModelArtifacts {
  checkTopology(json, file);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = specs.reduce((n, s) => n + tf.util.sizeFromShape(s.shape) * (s.dtype === 'float32' || s.dtype === 'int32' || !s.dtype ? 4 : 1), 0);
  if (weightData.byteLength !== expected) {
    throw new Error(`the weights file has ${weightData.byteLength} bytes, ${file} describes ${expected}: it is truncated or belongs to another model`);
  }
  const { modelTopology, format, generatedBy, convertedBy, userDefinedMetadata } = json;
  return { modelTopology, weightSpecs: specs, weightData, format, generatedBy, convertedBy, userDefinedMetadata };
}

/** Far above any LeNet-5 (about 400,000), far below what could exhaust a page's memory. */
export const MAX_PARAMETERS = 5_000_000;
/** Per image, per layer: a 28x28 digit never needs a wider activation. */
const MAX_ACTIVATION = 1_000_000;

type Shape = number[]; // [height, width, channels] or [features]
type LayerConfig = Record<string, unknown>;
const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]);

/** What each layer class we accept does to the shape, and how many parameters it has. */
const LAYERS: Record<string, (input: Shape, c: LayerConfig) => { shape: Shape; params: number }> = {
  InputLayer: (s) => ({ shape: s, params: 0 }),
  ZeroPadding2D: ([h, w, ch], c) => {
    const [[t, b], [l, r]] = (Array.isArray(c.padding) && Array.isArray(c.padding[0]) ? c.padding : [pair(c.padding), pair(c.padding)]) as number[][];
    return { shape: [h + t + b, w + l + r, ch], params: 0 };
  },
  Rescaling: (s) => ({ shape: s, params: 0 }),
  Activation: (s) => ({ shape: s, params: 0 }),
  ReLU: (s) => ({ shape: s, params: 0 }),
  Softmax: (s) => ({ shape: s, params: 0 }),
  Dropout: (s) => ({ shape: s, params: 0 }),
  SpatialDropout2D: (s) => ({ shape: s, params: 0 }),
  BatchNormalization: (s) => ({ shape: s, params: 4 * s[s.length - 1] }),
  Flatten: (s) => ({ shape: [s.reduce((a, b) => a * b, 1)], params: 0 }),
  Dense: (s, c) => ({ shape: [Number(c.units)], params: s[s.length - 1] * Number(c.units) + (c.use_bias === false ? 0 : Number(c.units)) }),
  Conv2D: ([h, w, ch], c) => {
    const [kh, kw] = pair(c.kernel_size);
    const [sh, sw] = pair(c.strides ?? 1);
    const same = c.padding === 'same';
    const f = Number(c.filters);
    return { shape: [Math.ceil((same ? h : h - kh + 1) / sh), Math.ceil((same ? w : w - kw + 1) / sw), f], params: kh * kw * ch * f + (c.use_bias === false ? 0 : f) };
  },
  MaxPooling2D: (s, c) => pool(s, c),
  AveragePooling2D: (s, c) => pool(s, c),
};

const IMAGE_LAYERS = new Set(['ZeroPadding2D', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'SpatialDropout2D']);

function pool([h, w, ch]: Shape, c: LayerConfig): { shape: Shape; params: number } {
  const [ph, pw] = pair(c.pool_size ?? 2);
  const [sh, sw] = pair(c.strides ?? c.pool_size ?? 2);
  const same = c.padding === 'same';
  return { shape: [Math.ceil((same ? h : h - ph + 1) / sh), Math.ceil((same ? w : w - pw + 1) / sw), ch], params: 0 };
}

/**
 * Checks a model.json's topology before anything is built from it: a
 * Sequential model of known layer classes, 28x28x1 digits in, 10 classes
 * out, at most MAX_PARAMETERS, no layer wider than MAX_ACTIVATION. Building
 * first would let a 4 KB file ask for gigabytes.
 */
export function checkTopology(json: tf.io.ModelJSON, file: string): void {
  const top = (json as { modelTopology?: unknown } | null)?.modelTopology as { class_name?: string; config?: { layers?: unknown } | unknown[] } | null | undefined;
  const layers = (Array.isArray(top?.config) ? top.config : top?.config?.layers) as { class_name?: unknown; config?: LayerConfig }[] | undefined;
  if (top?.class_name !== 'Sequential' || !Array.isArray(layers) || layers.length === 0) {
    throw new Error(`${file}: only Sequential Layers models are supported (got ${String(top?.class_name ?? 'no model class')})`);
  }
  const first = layers[0]?.config?.batch_input_shape ?? layers[0]?.config?.batchInputShape;
  if (!Array.isArray(first) || first.slice(1).join('x') !== '28x28x1') {
    throw new Error(`${file}: the model takes input of shape [${Array.isArray(first) ? first.slice(1).join(',') : '?'}], not 28x28x1 digits`);
  }
  let shape: Shape = [28, 28, 1];
  let params = 0;
  for (const [i, layer] of layers.entries()) {
    const cls = String(layer?.class_name);
    const step = Object.hasOwn(LAYERS, cls) ? LAYERS[cls] : undefined;
    if (!step || !layer.config || typeof layer.config !== 'object') throw new Error(`${file}: layer ${i + 1} is a ${cls}, which this app does not load`);
    if (IMAGE_LAYERS.has(cls) && shape.length !== 3) throw new Error(`${file}: layer ${i + 1} (${cls}) needs an image input`);
    const out = step(shape, layer.config);
    const size = out.shape.reduce((a, b) => a * b, 1);
    if (!out.shape.every((d) => Number.isInteger(d) && d > 0) || !Number.isFinite(out.params)) {
      throw new Error(`${file}: layer ${i + 1} (${cls}) has an invalid configuration`);
    }
    if (size > MAX_ACTIVATION) throw new Error(`${file}: layer ${i + 1} (${cls}) outputs ${size} values per image, more than the ${MAX_ACTIVATION} allowed`);
    params += out.params;
    if (params > MAX_PARAMETERS) throw new Error(`${file}: the model has more than ${MAX_PARAMETERS} parameters, far more than a digit classifier needs`);
    shape = out.shape;
  }
  if (shape.join('x') !== '10') throw new Error(`${file}: the model outputs [${shape.join(',')}], not the 10 digit classes`);
}

/**
 * Reads a person's model.json and weights file(s) into model artifacts, with a
 * clear message for each way they can be wrong. (tf.io.browserFiles never
 * settles on invalid JSON, and insists on the original file names.)
 */
export async function readPickedFiles(files: File[]): Promise<tf.io.ModelArtifacts> {
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  const bins = files.filter((f) => f !== json);
  if (!json) throw new Error('pick the model.json file together with its weights file');
  if (bins.length === 0) throw new Error(`the weights file is missing: pick it together with ${json.name}`);
  const tooBig = files.find((f) => f.size > MAX_WEIGHTS_BYTES);
  if (tooBig) throw new Error(`${tooBig.name} is ${(tooBig.size / 2 ** 20).toFixed(0)} MB, far larger than any LeNet-5 (at most ${MAX_WEIGHTS_BYTES / 2 ** 20} MB)`);
  const parsed = parseModelJson(await json.text(), json.name);
  const paths = weightPaths(parsed, json.name);
  // Match files to the manifest by name; a single weights file is accepted whatever it is called.
  const ordered = paths.length === 1 && bins.length === 1 ? bins : paths.map((p) => bins.find((f) => f.name === p.split('/').pop()));
  const missing = paths.filter((_, i) => !ordered[i]);
  if (missing.length) throw new Error(`the weights file ${missing.join(', ')} named in ${json.name} is missing`);
  return toArtifacts(parsed, await Promise.all(ordered.map((f) => f!.arrayBuffer())), json.name);
}
