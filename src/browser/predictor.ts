/**
 * Live prediction on the page: the models a person can pick (the two shipped
 * ones, the one in training, one loaded from files), on a single-threaded
 * wasm backend so a prediction takes milliseconds and never waits on the
 * training worker.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../core/backends';
import type { EncodedTensors } from '../core/checkpoint';
import { createModel, modelNameOf, type ModelName } from '../core/models';
import { encodeModelWeights, setWeightsFrom } from '../core/weights';
import { useOwnWasmFiles } from './wasmPaths';

export type ModelSlot = 'pretrained-modified' | 'pretrained-original' | 'trained' | 'loaded';

export const SHIPPED: Record<'pretrained-modified' | 'pretrained-original', string> = {
  'pretrained-modified': 'models/lenet5-modified/model.json',
  'pretrained-original': 'models/lenet5-original/model.json',
};

let ready: Promise<string> | null = null;

/** Starts tfjs on the page (once). Prefers wasm; falls back to the cpu backend. */
export function startPageBackend(): Promise<string> {
  ready ??= (async () => {
    useOwnWasmFiles();
    // The page needs no thread pool for one 28x28 image; keep the cores for training.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    try {
      await initBackend('wasm');
    } catch {
      await initBackend('cpu');
    }
    return tf.getBackend();
  })();
  return ready;
}

/** Checks that a model loaded from files is one we can use: 28x28x1 in, 10 classes out. */
export function checkArchitecture(model: tf.LayersModel): void {
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  if (model.inputs.length !== 1 || !inShape || inShape.slice(1).join('x') !== '28x28x1') {
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

export class Predictor {
  private readonly models = new Map<ModelSlot, tf.LayersModel>();

  has(slot: ModelSlot): boolean {
    return this.models.has(slot);
  }

  get(slot: ModelSlot): tf.LayersModel | undefined {
    return this.models.get(slot);
  }

  architectureOf(slot: ModelSlot): ModelName | undefined {
    const m = this.models.get(slot);
    return m ? modelNameOf(m) : undefined;
  }

  async loadShipped(slot: keyof typeof SHIPPED): Promise<void> {
    if (this.models.has(slot)) return;
    await startPageBackend();
    const url = new URL(`${import.meta.env.BASE_URL}${SHIPPED[slot]}`, location.origin).href;
    const model = await tf.loadLayersModel(url);
    checkArchitecture(model);
    this.replace(slot, model);
  }

  /** Loads model.json + weights file picked by a person. The current model stays if anything is wrong. */
  async loadFiles(files: File[]): Promise<ModelName | 'other'> {
    await startPageBackend();
    const json = files.find((f) => f.name.endsWith('.json'));
    const bins = files.filter((f) => !f.name.endsWith('.json'));
    if (!json) throw new Error('pick the model.json file together with its weights file');
    if (bins.length === 0) throw new Error(`pick the weights file (.bin) together with ${json.name}`);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.browserFiles([json, ...bins]));
    } catch (e) {
      throw new Error(explainLoadError(e as Error));
    }
    try {
      checkArchitecture(model);
    } catch (e) {
      model.dispose();
      throw new Error(`${json.name} cannot be used: ${(e as Error).message}`);
    }
    this.replace('loaded', model);
    return modelNameOf(model) ?? 'other';
  }

  /** Updates (or creates) the model being trained from weights sent by the worker. */
  async setTrainedWeights(architecture: ModelName, weights: EncodedTensors): Promise<void> {
    await startPageBackend();
    let model = this.models.get('trained');
    if (!model || modelNameOf(model) !== architecture) {
      model = createModel(architecture);
      this.replace('trained', model);
    }
    setWeightsFrom(model, weights);
  }

  async weightsOf(slot: ModelSlot): Promise<{ model: ModelName; weights: EncodedTensors } | undefined> {
    const m = this.models.get(slot);
    const name = m && modelNameOf(m);
    if (!m || !name) return undefined;
    return { model: name, weights: await encodeModelWeights(m) };
  }

  /** Ten probabilities for one 28x28 image (values in [0, 1]). */
  async predict(slot: ModelSlot, pixels: Float32Array): Promise<Float32Array> {
    const model = this.models.get(slot);
    if (!model) throw new Error('that model is not loaded');
    const out = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** Triggers the browser's download of model.json + weights.bin. */
  async download(slot: ModelSlot, name: string): Promise<void> {
    const model = this.models.get(slot);
    if (!model) throw new Error('that model is not loaded');
    await model.save(`downloads://${name}`);
  }

  private replace(slot: ModelSlot, model: tf.LayersModel): void {
    const old = this.models.get(slot);
    this.models.set(slot, model);
    if (old && old !== model) old.dispose();
  }
}

function explainLoadError(e: Error): string {
  const m = e.message;
  if (/multiple of 4|byte length/i.test(m)) return 'the weights file is missing, truncated or does not belong to this model.json';
  if (/JSON|Unexpected token|parse/i.test(m)) return 'model.json is not valid JSON (is it the right file?)';
  if (/shape|expected/i.test(m)) return `the weights do not fit the model: ${m}`;
  if (/weights manifest|paths/i.test(m)) return `the weights file does not match model.json's manifest: ${m}`;
  return m;
}
