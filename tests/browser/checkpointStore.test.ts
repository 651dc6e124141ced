import { describe, expect, it } from 'vitest';
import { checkStored } from '../../src/browser/checkpointStore';

const tensors = () => ({ specs: [], data: new ArrayBuffer(0) });
const epoch = { epoch: 1, trainLoss: 0.3, trainAccuracy: 0.9, valLoss: NaN, valAccuracy: NaN, learningRate: 1e-3, seconds: 4, imagesPerSecond: 500 };
const record = (checkpoint: object = {}) => ({
  checkpoint: { version: 1, config: { model: 'modified', epochs: 3 }, epochsDone: 1, globalStep: 8, history: [epoch], weights: tensors(), optimizer: tensors(), ...checkpoint },
  validationSize: 5000,
  savedAt: 0,
});

describe('checkStored', () => {
  it('accepts a record as the app saves it', () => {
    const r = record();
    expect(checkStored(r)).toBe(r);
  });

  it('rejects anything else with a clear message', () => {
    const bad = [
      null,
      { weights: [0.1], savedAt: 0 },
      record({ version: 2 }),
      record({ history: [{ ...epoch, trainLoss: '0.3' }] }),
      record({ weights: { specs: [], data: [1, 2] } }),
    ];
    for (const r of bad) expect(() => checkStored(r)).toThrow('it is not in the format this version of the app saves');
  });
});
