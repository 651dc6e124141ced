import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULES } from '../../src/core/train/schedule';
import { HANDWRITING_AUGMENT } from '../../src/core/train/types';
import { AUGMENTS, BATCH_SIZES, DEFAULTS, LIMITS, readSettings, toQuery, toTrainSettings, valueErrors, type FormValues } from '../../src/ui/urlSettings';

const CHANGED: FormValues = { model: 'original', epochs: '12', batch: '128', lr: '3e-4', schedule: 'cosine', augment: 'handwriting', limit: '500', seed: '4294967295', backend: 'wasm', test: 'off' };

describe('the settings in the address', () => {
  it('round-trips the defaults and changed settings, every one spelled out', () => {
    for (const values of [DEFAULTS, CHANGED]) {
      const query = toQuery(values);
      expect(query.split('&').map((p) => p.split('=')[0])).toEqual(Object.keys(DEFAULTS));
      expect(readSettings(`?${query}`)).toEqual({ values, messages: [] });
    }
    expect(toQuery(CHANGED)).toBe('model=original&epochs=12&batch=128&lr=3e-4&schedule=cosine&augment=handwriting&limit=500&seed=4294967295&backend=wasm&test=off');
  });

  it('an empty address or a partial one fills the rest with the defaults', () => {
    expect(readSettings('')).toEqual({ values: DEFAULTS, messages: [] });
    expect(readSettings('?epochs=7&augment=off')).toEqual({ values: { ...DEFAULTS, epochs: '7', augment: 'off' }, messages: [] });
  });

  it('every option the form offers can train', () => {
    for (const [key, options] of Object.entries({ limit: LIMITS, batch: BATCH_SIZES, augment: Object.keys(AUGMENTS), schedule: Object.keys(DEFAULT_SCHEDULES), model: ['modified', 'original'], backend: ['auto', 'webgl', 'wasm', 'cpu'] })) {
      for (const option of options) {
        const values = { ...DEFAULTS, [key]: option };
        expect(valueErrors(values)).toEqual([]);
        expect(() => toTrainSettings(values)).not.toThrow();
      }
    }
  });

  it('bad and unknown values get a message each and the default', () => {
    const { values, messages } = readSettings('?epochs=abc&lr=-1&schedule=nope&seed=1.5&model=vgg&batch=100&limit=640&backend=tpu&test=yes&augment=&colour=blue');
    expect(values).toEqual(DEFAULTS);
    expect(messages).toHaveLength(11);
    expect(messages[0]).toBe('The link\'s epochs="abc" was ignored: Epochs must be a whole number from 1 to 200; using 3.');
    expect(messages[1]).toBe('The link\'s lr="-1" was ignored: The learning rate must be a positive number, such as 0.001; using 0.001.');
    expect(messages[2]).toMatch(/schedule="nope" .*one of constant, plateau, exponential, cosine, onecycle; using plateau\.$/);
    expect(messages.at(-1)).toBe('The link\'s setting "colour" is unknown and was ignored.');
    for (const bad of ['epochs=0', 'epochs=201', 'epochs=-2', 'epochs=2.5', 'lr=0', 'lr=', 'lr=Infinity', 'lr=abc', 'seed=-1', 'seed=4294967296', 'seed=1e3']) {
      expect(readSettings(bad).messages, bad).toHaveLength(1);
    }
    // Good values beside bad ones are kept.
    expect(readSettings('epochs=9&lr=x').values).toEqual({ ...DEFAULTS, epochs: '9' });
  });

  it('the form says what is wrong before training', () => {
    expect(valueErrors(DEFAULTS)).toEqual([]);
    expect(valueErrors({ ...DEFAULTS, epochs: '', lr: '0' })).toEqual(['Epochs must be a whole number from 1 to 200.', 'The learning rate must be a positive number, such as 0.001.']);
  });

  it('turns the form into the run it trains', () => {
    expect(toTrainSettings(CHANGED)).toEqual({
      config: { model: 'original', epochs: 12, batchSize: 128, learningRate: 3e-4, schedule: DEFAULT_SCHEDULES.cosine, augment: HANDWRITING_AUGMENT, seed: 4294967295 },
      trainLimit: 500,
      backend: 'wasm',
      testEveryEpoch: false,
    });
    expect(toTrainSettings({ ...DEFAULTS, limit: 'all', augment: 'off' })).toMatchObject({ trainLimit: undefined, backend: undefined, testEveryEpoch: true, config: { augment: null } });
  });
});
