/** The app's IndexedDB (fake-indexeddb in Node): the person's digits, and the upgrade that keeps what version 1 saved. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/browser/checkpointStore';
import { DB_VERSION } from '../../src/browser/db';
import { addDigits, clearDigits, deleteDigit, listDigits, loadTuned, putDigit, saveTuned } from '../../src/browser/digitStore';
import type { PersonalDigit } from '../../src/core/data/personalDigits';

const digit = (label: number): PersonalDigit => ({ label, image: new Uint8Array(784).fill(label), strokes: [[{ x: 1, y: 2 }]], predicted: 1, savedAt: label });

/** What version 1 of the app made: one store, one record. */
function makeVersion1(record: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('mnist-trainer', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('checkpoints').put(record, 'latest');
    req.onsuccess = () => {
      req.result.close();
      resolve();
    };
    req.onerror = () => reject(req.error);
  });
}

const version = () => new Promise<number>((resolve) => {
  const req = indexedDB.open('mnist-trainer');
  req.onsuccess = () => {
    resolve(req.result.version);
    req.result.close();
  };
});

describe('the app\'s IndexedDB', () => {
  it('upgrades version 1 to 2 keeping the checkpoint, and adds the digits and models stores', async () => {
    const saved = { checkpoint: { version: 1, marker: 'kept' }, validationSize: 5000, savedAt: 1 };
    await makeVersion1(saved);
    expect(await version()).toBe(1);
    expect(await loadCheckpoint()).toEqual(saved);
    expect(await version()).toBe(DB_VERSION);
    await addDigits([digit(3)]);
    expect((await listDigits()).map((d) => d.label)).toEqual([3]);
    expect(await loadCheckpoint()).toEqual(saved);
  });

  it('keeps, lists, relabels and deletes digits, images and strokes intact', async () => {
    await clearDigits();
    const last = await addDigits([digit(1), digit(7), digit(9)]);
    const all = await listDigits();
    expect(all.map((d) => d.label)).toEqual([1, 7, 9]);
    expect(all[2].id).toBe(last);
    expect(all[1].image).toEqual(new Uint8Array(784).fill(7));
    expect(all[1].strokes).toEqual([[{ x: 1, y: 2 }]]);
    await putDigit({ ...all[1], label: 4 });
    await deleteDigit(all[0].id);
    expect((await listDigits()).map((d) => [d.id, d.label])).toEqual([[all[1].id, 4], [last, 9]]);
    await clearDigits();
    expect(await listDigits()).toEqual([]);
  });

  it('keeps all or none of an import', async () => {
    await clearDigits();
    const bad = { ...digit(2), image: () => 0 } as unknown as PersonalDigit; // cannot be stored
    await expect(addDigits([digit(5), bad])).rejects.toThrow();
    expect(await listDigits()).toEqual([]);
  });

  it('keeps the tuned model', async () => {
    expect(await loadTuned()).toBeUndefined();
    const tuned = { model: 'modified' as const, weights: { specs: [], data: new ArrayBuffer(8) }, scores: { personal: null, test: null, validation: { before: 0.99, after: 0.99, count: 5000 } }, savedAt: 3 };
    await saveTuned(tuned);
    expect((await loadTuned())!.scores).toEqual(tuned.scores);
  });
});
