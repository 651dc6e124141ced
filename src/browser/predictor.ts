/**
 * The page's side of prediction: calls into the prediction worker
 * (src/worker/predictWorker.ts), which holds the models. What is loaded
 * is mirrored here, so the page can ask without a round trip.
 */
import type { ModelName } from '../core/model/models';
import type { UnsureRule } from '../core/model/unsure';
import type { EncodedTensors } from '../core/model/weights';
import type { ModelSlot, PredictApi, PredictCall, PredictReply, ShippedSlot } from '../worker/predictWorker';

export type { ModelSlot, ShippedSlot };

export class Predictor {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly loaded = new Map<ModelSlot, ModelName | 'other'>();
  /** The shipped models' unsure rules; a model trained here or loaded from files has none. */
  private readonly rules = new Map<ModelSlot, UnsureRule>();
  private nextId = 1;
  private failed: Error | null = null;

  /** `name` tells this worker apart in the browser's tools (the layer view runs a second one). */
  constructor(name = 'predict') {
    this.worker = new Worker(new URL('../worker/predictWorker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = ({ data }: MessageEvent<PredictReply>) => {
      const call = this.pending.get(data.id);
      this.pending.delete(data.id);
      if ('error' in data) call?.reject(new Error(data.error));
      else call?.resolve(data.result);
    };
    this.worker.onerror = (e) => {
      this.failed = new Error(`the prediction worker failed: ${e.message}`);
      for (const call of this.pending.values()) call.reject(this.failed);
      this.pending.clear();
    };
  }

  private call<M extends keyof PredictApi>(method: M, ...args: Parameters<PredictApi[M]>): Promise<Awaited<ReturnType<PredictApi[M]>>> {
    const id = this.nextId++;
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } as PredictCall);
    });
  }

  has(slot: ModelSlot): boolean {
    return this.loaded.has(slot);
  }

  architectureOf(slot: ModelSlot): ModelName | undefined {
    const name = this.loaded.get(slot);
    return name === 'other' ? undefined : name;
  }

  ruleOf(slot: ModelSlot): UnsureRule | undefined {
    return this.rules.get(slot);
  }

  async loadShipped(slot: ShippedSlot): Promise<void> {
    if (this.loaded.has(slot)) return;
    const { kind, rule } = await this.call('loadShipped', slot);
    if (rule) this.rules.set(slot, rule);
    this.loaded.set(slot, kind);
  }

  async loadFiles(files: File[]): Promise<ModelName | 'other'> {
    const kind = await this.call('loadFiles', files);
    this.loaded.set('loaded', kind);
    return kind;
  }

  /** The worker takes calls in order, so the model counts as loaded from now on. */
  async setTrainedWeights(architecture: ModelName, weights: EncodedTensors): Promise<void> {
    this.loaded.set('trained', architecture);
    try {
      await this.call('setTrainedWeights', architecture, weights);
    } catch (e) {
      this.loaded.delete('trained');
      throw e;
    }
  }

  weightsOf(slot: ModelSlot) {
    return this.call('weightsOf', slot);
  }

  predict(slot: ModelSlot, pixels: Float32Array): Promise<Float32Array> {
    return this.call('predict', slot, pixels);
  }

  inspect(slot: ModelSlot, pixels: Float32Array) {
    return this.call('inspect', slot, pixels);
  }

  exportModel(slot: ModelSlot, name: string) {
    return this.call('exportModel', slot, name);
  }

  /** Loads what another Predictor's exportModel gave. */
  async loadExported(slot: ModelSlot, exported: { json: string; weights: ArrayBuffer }): Promise<void> {
    await this.call('loadExported', slot, exported.json, exported.weights);
    this.loaded.set(slot, 'other');
  }

  /** Hands model.json + the weights to the browser's download. */
  async download(slot: ModelSlot, name: string): Promise<void> {
    const { json, weights } = await this.exportModel(slot, name);
    saveFile(new Blob([json], { type: 'application/json' }), `${name}.json`);
    saveFile(new Blob([weights], { type: 'application/octet-stream' }), `${name}.weights.bin`);
  }
}

/** Downloads a blob through a blob: link (a navigation, which the page's CSP allows). */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
