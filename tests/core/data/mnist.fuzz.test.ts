/** The IDX parser under property-based fuzzing: mutated files end in a parse or its own error, in a sandbox. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../helpers/sandbox';
import { idxImages, idxLabels } from '../../helpers/idx';

describe('parseMnistPair under fuzzing', () => {
  const images = idxImages(5, (i, p) => (i * 31 + p) % 256);
  const labels = idxLabels([3, 1, 4, 1, 5]);
  const edit = fc.oneof(
    fc.nat().map((n) => (b: Uint8Array) => b.subarray(0, n % (b.length + 1))),
    fc.tuple(fc.nat(), fc.nat(7)).map(([at, bit]) => (b: Uint8Array) => Uint8Array.from(b, (v, i) => (i === at % b.length ? v ^ (1 << bit) : v))),
    // Header fields (magic, count, rows, cols) set to anything, huge values included.
    fc.tuple(fc.constantFrom(0, 4, 8, 12), fc.oneof(fc.constant(2 ** 32 - 1), fc.nat(2 ** 32 - 1), fc.nat(70_000))).map(([at, v]) => (b: Uint8Array) => {
      const c = Uint8Array.from(b);
      if (at + 4 <= c.length) new DataView(c.buffer).setUint32(at, v);
      return c;
    }),
    fc.uint8Array({ maxLength: 900 }).map((extra) => (b: Uint8Array) => Uint8Array.from([...b, ...extra])),
  );
  const mutant = fc.tuple(fc.array(edit, { maxLength: 3 }), fc.array(edit, { maxLength: 3 })).map(([ei, el]) => ({
    images: ei.reduce((b, f) => f(b), images),
    labels: el.reduce((b, f) => f(b), labels),
  }));

  it('ends every mutated pair in a parse or its own error with a reason, within 2 s and 1 GB', async () => {
    const sandbox = startSandbox('idx');
    try {
      await fc.assert(
        fc.asyncProperty(mutant, async (input) => {
          const r = await sandbox.call(input);
          if (r.error !== undefined) return void expect(r.error).toMatch(/^(images|labels): \w.{4}/);
          const { count, imageBytes, labelBytes } = r.ok as { count: number; imageBytes: number; labelBytes: number };
          expect(count).toBeGreaterThan(0);
          expect([imageBytes, labelBytes]).toEqual([count * 784, count]);
        }),
        { numRuns: 3000, endOnFailure: true },
      );
    } finally {
      await sandbox.stop();
    }
  }, 60_000);
});
