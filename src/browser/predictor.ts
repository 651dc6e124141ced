/**
 * Live prediction on the page: the models a person can pick (the two shipped
 * ones, the one in training, one loaded from files), on a single-threaded
 * wasm backend so a prediction takes milliseconds and never waits on the
 * training worker.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../kernels/backends';
import { classify, createModel, modelNameOf, type ModelName } from '../core/model/models';
import { loadCheckedModel, MAX_WEIGHTS_BYTES, parseModelJson, toArtifacts, toModelJson, weightBytes, weightPaths } from '../core/model/modelFiles';
import { encodeModelWeights, setWeightsFrom, type EncodedTensors } from '../core/model/weights';
import { configureWasm } from './wasmPaths';

export type ModelSlot = 'pretrained-modified' | 'pretrained-original' | 'trained' | 'loaded';

export const SHIPPED: Record<'pretrained-modified' | 'pretrained-original', string> = {
  'pretrained-modified': 'models/lenet5-modified/model.json',
  'pretrained-original': 'models/lenet5-original/model.json',
};

let ready: Promise<string> | null = null;

/** Starts tfjs on the page (once). Prefers wasm; falls back to the cpu backend. */
export function startPageBackend(): Promise<string> {
  ready ??= (async () => {
    configureWasm();
    try {
      await initBackend('wasm');
    } catch {
      await initBackend('cpu');
    }
    return tf.getBackend();
  })();
  return ready;
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
    const url = new URL(`${import.meta.env.BASE_URL}${SHIPPED[slot]}`, location.origin);
    const json = parseModelJson(await (await fetchOrFail(url)).text(), url.pathname);
    const buffers = await Promise.all(weightPaths(json, url.pathname).map(async (p) => (await fetchOrFail(new URL(p, url))).arrayBuffer()));
    this.replace(slot, await loadCheckedModel(toArtifacts(json, buffers, url.pathname)));
  }

  /** Loads model.json + weights file picked by a person. The current model stays if anything is wrong. */
  async loadFiles(files: File[]): Promise<ModelName | 'other'> {
    await startPageBackend();
    const model = await loadCheckedModel(await readModelFiles(files)).catch((e: Error) => {
      throw new Error(`it cannot be used here: ${e.message}`);
    });
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
    return classify(model, pixels);
  }

  /** Triggers the browser's download of model.json + weights.bin. */
  async download(slot: ModelSlot, name: string): Promise<void> {
    const model = this.models.get(slot);
    if (!model) throw new Error('that model is not loaded');
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const bin = `${name}.weights.bin`;
      const json = toModelJson(artifacts, `./${bin}`);
      saveFile(new Blob([JSON.stringify(json)], { type: 'application/json' }), `${name}.json`);
      saveFile(new Blob([weightBytes(artifacts)], { type: 'application/octet-stream' }), bin);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }));
  }

  private replace(slot: ModelSlot, model: tf.LayersModel): void {
    const old = this.models.get(slot);
    this.models.set(slot, model);
    if (old && old !== model) old.dispose();
  }
}

/** A shipped model that does not arrive in this time is given up, with a message and the Retry of any failure. */
export const MODEL_TIMEOUT_MS = 15_000;

async function fetchOrFail(url: URL): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(MODEL_TIMEOUT_MS) });
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `timed out after ${MODEL_TIMEOUT_MS / 1000} s` : (e as Error).message;
    throw new Error(`could not fetch ${url.pathname}: ${why}`);
  }
  if (!res.ok) throw new Error(`could not fetch ${url.pathname}: HTTP ${res.status}`);
  return res;
}

/** Hands a file to the browser's download. */
function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Reads a person's model.json and weights file(s) into model artifacts, with a
 * clear message for each way they can be wrong. (tf.io.browserFiles never
 * settles on invalid JSON, and insists on the original file names.)
 */
export async function readModelFiles(files: File[]): Promise<tf.io.ModelArtifacts> {
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
