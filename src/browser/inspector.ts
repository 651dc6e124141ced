/**
 * The layer view's worker: a copy of the selected model in a prediction
 * worker of its own, so that looking inside the network never delays a
 * prediction. Only the latest request runs: one that arrives while another is
 * in flight replaces any still waiting, so a view that cannot keep up skips
 * drawings instead of queueing them; and at most ten a second, so that it
 * leaves the CPU to the pad on a machine with few cores.
 */
import type { InspectionPictures } from '../core/model/inspect';
import { Predictor, type ModelSlot } from './predictor';

export interface InspectRequest {
  slot: ModelSlot;
  /** Changes whenever the slot's weights do (the store's weightsVersion). */
  weightsVersion: number;
  pixels: Float32Array;
}

const MIN_INTERVAL_MS = 100;

export class Inspector {
  private readonly copy = new Predictor('layers');
  private copied = '';
  private waiting?: InspectRequest;
  private running = false;

  constructor(
    private readonly source: Predictor,
    private readonly onResult: (request: InspectRequest, result: InspectionPictures | Error) => void,
  ) {}

  request(r: InspectRequest): void {
    this.waiting = r;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let r = this.waiting; r; r = this.waiting) {
      const started = performance.now();
      this.waiting = undefined;
      try {
        const key = `${r.slot}:${r.weightsVersion}`;
        if (this.copied !== key) {
          await this.copy.loadExported('loaded', await this.source.exportModel(r.slot, 'copy'));
          this.copied = key;
        }
        this.onResult(r, await this.copy.inspect('loaded', r.pixels));
      } catch (e) {
        this.onResult(r, e as Error);
      }
      await new Promise((wake) => setTimeout(wake, MIN_INTERVAL_MS - (performance.now() - started)));
    }
    this.running = false;
  }
}
