import { describe, expect, it } from 'vitest';
import { decide, recall, remember, runSeconds, TRIAL_BUDGET, trialKey, trialPlan, type Trial } from '../../../src/core/train/backendTrial';

const wasm: Trial = { backend: 'wasm', warmupSeconds: 1.2, imagesPerSecond: 550, workers: 2 };
const slowWebgl: Trial = { backend: 'webgl', warmupSeconds: 4, imagesPerSecond: 3, workers: 1 };
const gaveUp: Trial = { backend: 'webgl', failed: `gave up (warm-up over its ${TRIAL_BUDGET.warmupSeconds} s budget)` };
const broken: Trial = { backend: 'webgl', failed: 'failed (the webgl backend could not start here)' };
const KEY = trialKey({ renderer: 'ANGLE (SwiftShader)', cores: 2, version: '0.1.0', model: 'modified', batchSize: 64 });

describe('decide', () => {
  it('picks the fastest and says so with every figure', () => {
    expect(decide([wasm, slowWebgl], 10_000)).toEqual({
      name: 'wasm',
      summary: 'wasm 550 img/s on 2 workers after 1.2 s warm-up, webgl 3 img/s after 4.0 s warm-up: wasm',
    });
  });

  it('counts the warm-up: a long warm-up loses a short run and wins a long one', () => {
    const gpu: Trial = { backend: 'webgl', warmupSeconds: 4, imagesPerSecond: 5000, workers: 1 };
    expect(decide([wasm, gpu], 1000)?.name).toBe('wasm');
    expect(decide([wasm, gpu], 100_000)?.name).toBe('webgl');
    expect(runSeconds(gpu, 5000)).toBe(5);
  });

  it('passes over a backend that timed out in its warm-up or failed, and names why', () => {
    expect(decide([wasm, gaveUp], 500)).toEqual({ name: 'wasm', summary: 'wasm 550 img/s on 2 workers after 1.2 s warm-up, webgl gave up (warm-up over its 5 s budget): wasm' });
    expect(decide([broken, { ...wasm, workers: 1 }], 500)?.summary).toBe(
      'webgl failed (the webgl backend could not start here), wasm 550 img/s after 1.2 s warm-up: wasm',
    );
  });

  it('has no choice when every trial failed, or there were none', () => {
    expect(decide([gaveUp, { backend: 'wasm', failed: 'failed (out of memory)' }], 500)).toBeUndefined();
    expect(decide([], 500)).toBeUndefined();
  });

  it('keeps the warm-up budget of a few seconds that the issue asks for', () => {
    expect(TRIAL_BUDGET.warmupSeconds + TRIAL_BUDGET.timedSeconds).toBeLessThanOrEqual(8);
  });
});

describe('trialPlan', () => {
  const untimedWebgl: Trial = { backend: 'webgl', failed: 'not timed: software renderer' };

  it('times WebGL only on a hardware renderer, and counts a software one as not timed', () => {
    expect(trialPlan({ wasm: true, renderer: 'ANGLE (NVIDIA GeForce RTX 3060)', softwareRenderer: false })).toEqual({ timed: ['wasm', 'webgl'], untimed: [] });
    expect(trialPlan({ wasm: true, renderer: 'ANGLE (SwiftShader)', softwareRenderer: true })).toEqual({ timed: ['wasm'], untimed: [untimedWebgl] });
    expect(trialPlan({ wasm: true, renderer: undefined, softwareRenderer: false })).toEqual({ timed: ['wasm'], untimed: [] });
    expect(trialPlan({ wasm: false, renderer: 'llvmpipe', softwareRenderer: true })).toEqual({ timed: [], untimed: [untimedWebgl] });
  });

  it('names the software renderer among the figures, and never picks it', () => {
    expect(decide([wasm, untimedWebgl], 1e9)).toEqual({ name: 'wasm', summary: 'wasm 550 img/s on 2 workers after 1.2 s warm-up, webgl not timed: software renderer: wasm' });
    expect(decide([{ backend: 'wasm', failed: 'failed (out of memory)' }, untimedWebgl], 500)).toBeUndefined();
  });
});

describe('remembered trials', () => {
  it('are keyed on the renderer, the cores, the version, the model and the batch size', () => {
    expect(KEY).toBe('ANGLE (SwiftShader) | 2 cores | v0.1.0 | modified | batch 64');
    expect(trialKey({ renderer: undefined, cores: 4, version: '0.2.0', model: 'original', batchSize: 32 })).toBe('no WebGL | 4 cores | v0.2.0 | original | batch 32');
  });

  it('come back as stored, through JSON, for their key only', () => {
    const untimed: Trial = { backend: 'webgl', failed: 'not timed: software renderer' };
    const stored = JSON.parse(JSON.stringify(remember(undefined, KEY, [wasm, untimed], 1)));
    expect(recall(stored, KEY)).toEqual([wasm, untimed]);
    expect(recall(stored, KEY.replace('2 cores', '4 cores'))).toBeUndefined();
    expect(recall(stored, 'constructor')).toBeUndefined();
  });

  it('ignore anything malformed instead of failing', () => {
    const cases: unknown[] = [
      undefined,
      null,
      'text',
      42,
      { [KEY]: null },
      { [KEY]: { trials: 'wasm' } },
      { [KEY]: { trials: [] } },
      { [KEY]: { trials: [{ ...wasm, backend: 'tpu' }] } },
      { [KEY]: { trials: [{ ...wasm, imagesPerSecond: -1 }] } },
      { [KEY]: { trials: [{ ...wasm, imagesPerSecond: 'fast' }] } },
      { [KEY]: { trials: [{ ...wasm, warmupSeconds: null }] } },
      { [KEY]: { trials: [wasm, null] } },
    ];
    for (const stored of cases) expect(recall(stored, KEY)).toBeUndefined();
  });

  it('keep the newest keys and drop malformed ones when a new one is added', () => {
    let stored: unknown = { junk: { trials: 3 }, [KEY]: { trials: [wasm], measuredAt: 0 } };
    for (let i = 1; i <= 10; i++) stored = remember(stored, `${KEY} ${i}`, [wasm], i);
    const keys = Object.keys(stored as object);
    expect(keys).toHaveLength(8);
    expect(keys).toContain(`${KEY} 10`);
    expect(keys).not.toContain('junk');
    expect(keys).not.toContain(`${KEY} 2`);
    expect(recall(remember(stored, KEY, [slowWebgl], 11), KEY)).toEqual([slowWebgl]);
  });
});
