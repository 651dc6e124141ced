/**
 * The prediction worker: the models a person can pick (the two shipped ones,
 * the one in training, one loaded from files) on a single-threaded wasm
 * backend. Off the page's thread, so the page itself loads no tfjs and stays
 * responsive while this starts, and a prediction never waits on training.
 * The page calls the functions of `api` through src/browser/predictor.ts.
 */
import * as tf from '../core/tf';
import '@tensorflow/tfjs-backend-wasm';
import { inspect, picture, type InspectionPictures } from '../core/model/inspect';
import { classify, createModel, modelNameOf, type ModelName } from '../core/model/models';
import { loadCheckedModel, parseModelJson, readPickedFiles, toArtifacts, toModelJson, weightBytes, weightPaths } from '../core/model/modelFiles';
import { parseUnsureRule, UNSURE_FILE, type UnsureRule } from '../core/model/unsure';
import { encodeModelWeights, setWeightsFrom, type EncodedTensors } from '../core/model/weights';
import { initBackend } from '../kernels/backends';
import { configureWasm } from '../browser/wasmPaths';

export type ShippedSlot = 'pretrained-modified' | 'pretrained-original';
export type ModelSlot = ShippedSlot | 'trained' | 'loaded';

const SHIPPED: Record<ShippedSlot, string> = {
  'pretrained-modified': 'models/lenet5-modified/model.json',
  'pretrained-original': 'models/lenet5-original/model.json',
};

/** A shipped model that does not arrive in this time is given up, with the message any failure gets. */
export const MODEL_TIMEOUT_MS = 15_000;

const models = new Map<ModelSlot, tf.LayersModel>();
const ready = (async () => {
  configureWasm();
  try {
    await initBackend('wasm');
  } catch {
    // No WebAssembly (some locked-down browsers): plain JavaScript, fetched only then.
    await import('@tensorflow/tfjs-backend-cpu');
    await initBackend('cpu');
  }
})();

function replace(slot: ModelSlot, model: tf.LayersModel): void {
  const old = models.get(slot);
  models.set(slot, model);
  if (old && old !== model) old.dispose();
}

function get(slot: ModelSlot): tf.LayersModel {
  const model = models.get(slot);
  if (!model) throw new Error('that model is not loaded');
  return model;
}

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

/** The unsure rule stored beside a shipped model; without one its predictions are all stated as sure. */
async function fetchRule(url: URL): Promise<UnsureRule | undefined> {
  try {
    return parseUnsureRule(await (await fetchOrFail(url)).json());
  } catch (e) {
    console.warn(`predicting without an unsure rule: ${(e as Error).message}`);
    return undefined;
  }
}

export const api = {
  async loadShipped(slot: ShippedSlot): Promise<{ kind: ModelName | 'other'; rule?: UnsureRule }> {
    await ready;
    const url = new URL(`${import.meta.env.BASE_URL}${SHIPPED[slot]}`, self.location.origin);
    const rule = fetchRule(new URL(UNSURE_FILE, url));
    const json = parseModelJson(await (await fetchOrFail(url)).text(), url.pathname);
    const buffers = await Promise.all(weightPaths(json, url.pathname).map(async (p) => (await fetchOrFail(new URL(p, url))).arrayBuffer()));
    const model = await loadCheckedModel(toArtifacts(json, buffers, url.pathname));
    replace(slot, model);
    return { kind: modelNameOf(model) ?? 'other', rule: await rule };
  },

  /** model.json + weights file(s) picked by a person; the model in use stays if anything is wrong. */
  async loadFiles(files: File[]): Promise<ModelName | 'other'> {
    await ready;
    const model = await loadCheckedModel(await readPickedFiles(files)).catch((e: Error) => {
      throw new Error(`it cannot be used here: ${e.message}`);
    });
    replace('loaded', model);
    return modelNameOf(model) ?? 'other';
  },

  /** A model another instance of this worker exported: the layer view inspects a copy of its own, off the prediction's thread. */
  async loadExported(slot: ModelSlot, json: string, weights: ArrayBuffer): Promise<void> {
    await ready;
    replace(slot, await loadCheckedModel(toArtifacts(parseModelJson(json, 'model.json'), [weights], 'model.json')));
  },

  /** Updates (or creates) the model in training from weights the training worker sent. */
  async setTrainedWeights(architecture: ModelName, weights: EncodedTensors): Promise<void> {
    await ready;
    let model = models.get('trained');
    if (!model || modelNameOf(model) !== architecture) {
      model = createModel(architecture);
      replace('trained', model);
    }
    setWeightsFrom(model, weights);
  },

  async weightsOf(slot: ModelSlot): Promise<{ model: ModelName; weights: EncodedTensors } | undefined> {
    const m = models.get(slot);
    const name = m && modelNameOf(m);
    return m && name ? { model: name, weights: await encodeModelWeights(m) } : undefined;
  },

  /** Ten probabilities for one 28x28 image (values in [0, 1]). */
  predict(slot: ModelSlot, pixels: Float32Array): Promise<Float32Array> {
    return classify(get(slot), pixels);
  },

  async inspect(slot: ModelSlot, pixels: Float32Array): Promise<InspectionPictures> {
    return picture(await inspect(get(slot), pixels), pixels);
  },

  /** model.json (naming `name.weights.bin`) and the weights, for the page to hand to the browser's download. */
  async exportModel(slot: ModelSlot, name: string): Promise<{ json: string; weights: ArrayBuffer }> {
    let out!: { json: string; weights: ArrayBuffer };
    await get(slot).save(tf.io.withSaveHandler(async (artifacts) => {
      out = { json: JSON.stringify(toModelJson(artifacts, `./${name}.weights.bin`)), weights: weightBytes(artifacts) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }));
    return out;
  },
};

export type PredictApi = typeof api;
export type PredictCall = { [M in keyof PredictApi]: { id: number; method: M; args: Parameters<PredictApi[M]> } }[keyof PredictApi];
export type PredictReply = { id: number; result: unknown } | { id: number; error: string };

async function handle({ id, method, args }: PredictCall): Promise<void> {
  try {
    const result = await (api[method] as (...a: typeof args) => Promise<unknown>)(...args);
    self.postMessage({ id, result } satisfies PredictReply);
  } catch (e) {
    self.postMessage({ id, error: (e as Error).message } satisfies PredictReply);
  }
}

// One call at a time, in the order sent: a prediction after new weights uses them.
let queue = Promise.resolve();
self.onmessage = ({ data }: MessageEvent<PredictCall>) => {
  queue = queue.then(() => handle(data));
};
