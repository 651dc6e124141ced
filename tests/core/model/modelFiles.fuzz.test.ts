/**
 * The model-folder reader under property-based fuzzing: mutated model.json
 * (any value anywhere, wrong types, damaged text) and weights files end in a
 * built model or the reader's own error, in a sandbox with time and memory limits.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../src/node/paths';
import { startSandbox } from '../../helpers/sandbox';

describe('the model-folder reader under fuzzing', () => {
  const folder = join(repoRoot, 'public/models/lenet5-original');
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const bin = new Uint8Array(readFileSync(join(folder, 'weights.bin')));

  /** Every place in a JSON value, as a path of keys. */
  const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
    v && typeof v === 'object' ? [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, Array.isArray(v) ? Number(k) : k]))] : [at];
  const places = paths(json).filter((p) => p.length > 0);
  const anyValue = fc.oneof(
    fc.constantFrom(null, true, 0, -1, 1e9, 2 ** 31, 'x', [], {}, [null], [2_000_000, 3], 'Conv2D', 'GRU'),
    fc.integer({ min: -5, max: 5000 }),
    fc.string({ maxLength: 6 }),
  );
  const setAnywhere = fc.tuple(fc.nat(places.length - 1), anyValue, fc.boolean()).map(([k, value, remove]) => (doc: unknown) => {
    const copy = structuredClone(doc) as Record<string | number, unknown>;
    const path = places[k];
    let parent = copy;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (!next || typeof next !== 'object') return copy; // an earlier edit replaced this branch
      parent = next as Record<string | number, unknown>;
    }
    if (remove) delete parent[path.at(-1)!];
    else parent[path.at(-1)!] = value;
    return copy;
  });
  const textEdit = fc.oneof(
    fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 4 })).map(([at, s]) => (t: string) => t.slice(0, at % t.length) + s + t.slice(at % t.length)),
  );
  const binEdit = fc.oneof(
    fc.nat().map((n) => (b: Uint8Array) => b.subarray(0, n % (b.length + 1))),
    fc.nat(8192).map((n) => (b: Uint8Array) => Uint8Array.from([...b, ...new Uint8Array(n)])),
    fc.tuple(fc.nat(), fc.nat(7)).map(([at, bit]) => (b: Uint8Array) => Uint8Array.from(b, (v, i) => (i === at % b.length ? v ^ (1 << bit) : v))),
  );
  const mutant = fc
    .tuple(fc.array(setAnywhere, { minLength: 1, maxLength: 3 }), fc.array(textEdit, { maxLength: 1 }), fc.array(binEdit, { maxLength: 1 }))
    .map(([sets, texts, bins]) => ({
      json: texts.reduce((t, f) => f(t), JSON.stringify(sets.reduce((d: unknown, f) => f(d), json))),
      bin: bins.reduce((b: Uint8Array, f) => f(b), bin),
    }));

  it('ends every mutated folder in a checked model or its own error with a reason, within 5 s and 1 GB', async () => {
    const sandbox = startSandbox('modelFolder', 5000);
    try {
      await fc.assert(
        fc.asyncProperty(mutant, async (input) => {
          const r = await sandbox.call(input);
          if (r.error !== undefined) return void expect(r.error).not.toMatch(/^not an Error|^$/);
          expect((r.ok as { layers: number }).layers).toBeGreaterThan(0);
        }),
        { numRuns: 800, endOnFailure: true },
      );
    } finally {
      await sandbox.stop();
    }
  }, 120_000);
});
