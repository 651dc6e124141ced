import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUnipen, samplePerClass, toPad } from '../../../src/core/drawing/pendigits';
import { repoRoot } from '../../../src/node/paths';

const sample = `.SEGMENT DIGIT    0 ? "8"
.COMMENT 8 12  224
.PEN_DOWN
 267  333
 262  346
.PEN_UP
.PEN_DOWN
 10 490
.PEN_UP
.SEGMENT DIGIT    1 ? "2"
.COMMENT 2 26   54
.PEN_DOWN
 1 2
 3 4
.PEN_UP
`;

describe('UNIPEN pen digits', () => {
  it('parses labels, writers and strokes', () => {
    const d = parseUnipen(sample);
    expect(d).toHaveLength(2);
    expect(d[0]).toMatchObject({ label: 8, writer: 12, index: 0 });
    expect(d[0].strokes).toEqual([[{ x: 267, y: 333 }, { x: 262, y: 346 }], [{ x: 10, y: 490 }]]);
    expect(d[1]).toMatchObject({ label: 2, writer: 26 });
  });

  it('flips y and scales the 500 box onto the pad', () => {
    expect(toPad({ x: 0, y: 500 }, 280)).toEqual({ x: 0, y: 0 });
    expect(toPad({ x: 500, y: 0 }, 280)).toEqual({ x: 280, y: 280 });
  });

  it('rejects a malformed file', () => {
    expect(() => parseUnipen('.SEGMENT DIGIT 0 ? nope')).toThrow(/cannot read segment/);
    expect(() => parseUnipen('.PEN_DOWN\n1 2\n')).toThrow(/pen down outside a digit/);
  });

  it('reads the real file: 7,494 digits by 30 writers', () => {
    const text = gunzipSync(readFileSync(join(repoRoot, 'data', 'pendigits-orig.tra.gz'))).toString('latin1');
    const digits = parseUnipen(text);
    expect(digits).toHaveLength(7494);
    expect(new Set(digits.map((d) => d.writer)).size).toBe(30);
    const s = samplePerClass(digits, 20);
    expect(s).toHaveLength(200);
    for (let c = 0; c < 10; c++) expect(s.filter((d) => d.label === c)).toHaveLength(20);
  });
});
