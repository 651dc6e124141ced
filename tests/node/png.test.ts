/**
 * The PNG decoder against a second, independent encoder written here (Adam7
 * from the spec's 8x8 pattern, every filter type), against broken and hostile
 * files, and under property-based fuzzing in a worker with time and memory limits.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../helpers/sandbox';
import { inkFromRGBA } from '../../src/core/drawing/digit';
import { decodePng, MAX_PIXELS, readPngInk } from '../../src/node/png';

type Chunk = { type: string; data: Uint8Array };
interface Image {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  depth: number;
  interlace?: boolean;
  /** Samples per pixel, as stored (palette index, grey, RGB, with alpha last). */
  pixels: number[][];
  palette?: number[][];
  /** Palette alphas, or the transparent grey/RGB colour. */
  trns?: number[];
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// The spec's Adam7 pattern: the pass (1-7) of each pixel in every 8x8 tile.
const ADAM7 = ['16462646', '77777777', '56565656', '77777777', '36463646', '77777777', '56565656', '77777777'];

function assemble(chunks: Chunk[]): Uint8Array {
  const parts = chunks.map(({ type, data }) => {
    const out = Buffer.alloc(data.length + 12);
    out.writeUInt32BE(data.length);
    out.write(type, 4, 'latin1');
    out.set(data, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), ...parts]);
}

function chunksOf(file: Uint8Array): Chunk[] {
  const b = Buffer.from(file);
  const chunks: Chunk[] = [];
  for (let pos = 8; pos < b.length; pos += 12 + b.readUInt32BE(pos)) {
    chunks.push({ type: b.toString('latin1', pos + 4, pos + 8), data: b.subarray(pos + 8, pos + 8 + b.readUInt32BE(pos)) });
  }
  return chunks;
}

const u16 = (v: number) => [v >> 8, v & 255];
const u32 = (v: number) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];

/** Samples packed big-endian, most significant bits first, the row padded to a byte. */
function packRow(pixels: number[][], depth: number): number[] {
  const bytes: number[] = [];
  let acc = 0, bits = 0;
  for (const v of pixels.flat()) {
    if (depth === 16) bytes.push(...u16(v));
    else if (((acc = (acc << depth) | v), (bits += depth)) === 8) {
      bytes.push(acc);
      acc = bits = 0;
    }
  }
  if (bits) bytes.push(acc << (8 - bits));
  return bytes;
}

function filterRow(type: number, row: number[], prev: number[], bpp: number): number[] {
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  return [type, ...row.map((v, i) => {
    const [a, b, c] = [row[i - bpp] ?? 0, prev[i] ?? 0, prev[i - bpp] ?? 0];
    return (v - [0, a, b, (a + b) >> 1, paeth(a, b, c)][type]) & 255;
  })];
}

/** Filters rotate through all five types; the data is split over two IDAT chunks. */
function encodePng(img: Image): Uint8Array {
  const bpp = Math.max(1, (CHANNELS[img.colorType] * img.depth) / 8);
  const raw: number[] = [];
  for (const pass of img.interlace ? [1, 2, 3, 4, 5, 6, 7] : [0]) {
    let prev: number[] = [];
    for (let y = 0; y < img.height; y++) {
      const inRow = img.pixels.slice(y * img.width, (y + 1) * img.width).filter((_, x) => !img.interlace || Number(ADAM7[y % 8][x % 8]) === pass);
      if (inRow.length === 0) continue;
      const row = packRow(inRow, img.depth);
      raw.push(...filterRow(raw.length % 5, row, prev, bpp));
      prev = row;
    }
  }
  const z = deflateSync(Buffer.from(raw));
  const half = z.length >> 1;
  const ihdr = [...u32(img.width), ...u32(img.height), img.depth, img.colorType, 0, 0, img.interlace ? 1 : 0];
  const chunks: Chunk[] = [{ type: 'IHDR', data: Uint8Array.from(ihdr) }];
  if (img.palette) chunks.push({ type: 'PLTE', data: Uint8Array.from(img.palette.flat()) });
  if (img.trns) chunks.push({ type: 'tRNS', data: Uint8Array.from(img.colorType === 3 ? img.trns : img.trns.flatMap(u16)) });
  chunks.push({ type: 'IDAT', data: z.subarray(0, half) }, { type: 'IDAT', data: z.subarray(half) }, { type: 'IEND', data: new Uint8Array() });
  return assemble(chunks);
}

/** What the PNG spec says the pixels are, as 8-bit RGBA with straight alpha. */
function expectedRgba(img: Image): number[] {
  const max = 2 ** img.depth - 1;
  return img.pixels.flatMap((v) => {
    if (img.palette) return [...img.palette[v[0]], img.trns?.[v[0]] ?? 255];
    const [r, g, b] = v.length >= 3 ? v : [v[0], v[0], v[0]];
    const alpha = img.colorType === 4 || img.colorType === 6 ? v[v.length - 1] : img.trns?.every((k, c) => k === v[c]) ? 0 : max;
    return [r, g, b, alpha].map((s) => Math.round((s * 255) / max));
  });
}

function randomImage(width: number, height: number, colorType: Image['colorType'], depth: number, interlace: boolean, trns: boolean, seed = 1): Image {
  let s = seed;
  const rand = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
  const colours = colorType === 3 ? Math.min(2 ** depth, 200) : 0;
  const pixels = Array.from({ length: width * height }, () =>
    Array.from({ length: CHANNELS[colorType] }, () => rand(colorType === 3 ? colours : 2 ** depth)),
  );
  const palette = colorType === 3 ? Array.from({ length: colours }, () => [rand(256), rand(256), rand(256)]) : undefined;
  // A palette's alphas may be fewer than its colours; a colour key is the first pixel's colour, so it occurs.
  const key = colorType === 3 ? Array.from({ length: Math.ceil(colours / 2) }, () => rand(256)) : pixels[0];
  return { width, height, colorType, depth, interlace, pixels, palette, trns: trns ? key : undefined };
}

const dir = mkdtempSync(join(tmpdir(), 'png-test-'));
const file = (name: string, bytes: Uint8Array | string) => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};

const kinds = ([[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]] as const).flatMap(([colorType, depths]) =>
  depths.flatMap((depth) =>
    [false, true].flatMap((interlace) =>
      (colorType === 4 || colorType === 6 ? [false] : [false, true]).map((trns) => ({ colorType, depth, interlace, trns })),
    ),
  ),
);

describe('decodePng', () => {
  it.each(kinds)('colour type $colorType, $depth-bit, interlaced $interlace, tRNS $trns: exactly the pixels encoded', ({ colorType, depth, interlace, trns }) => {
    for (const [w, h] of [[1, 1], [3, 2], [13, 11], [40, 3]]) {
      const img = randomImage(w, h, colorType, depth, interlace, trns, w * 31 + depth);
      const out = decodePng(encodePng(img));
      expect([out.width, out.height]).toEqual([w, h]);
      expect(Array.from(out.rgba)).toEqual(expectedRgba(img));
    }
  });

  it('readPngInk reads a file; transparent paper reads like white paper', async () => {
    const pixels = Array.from({ length: 64 }, (_, i) => (i % 8 === 3 && i > 8 && i < 56 ? 1 : 0)); // a "1"
    const onWhite = { width: 8, height: 8, colorType: 0, depth: 1, pixels: pixels.map((v) => [1 - v]) } as const;
    const onGlass = { width: 8, height: 8, colorType: 4, depth: 8, pixels: pixels.map((v) => [0, 255 * v]) } as const;
    const ink = await readPngInk(file('white.png', encodePng(onWhite)));
    expect(ink).toEqual(inkFromRGBA(expectedRgba(onWhite), 8, 8));
    expect(Array.from(ink.ink)).toEqual(pixels);
    expect((await readPngInk(file('glass.png', encodePng({ ...onGlass, interlace: true })))).ink).toEqual(ink.ink);
  });

  it('refuses more than MAX_PIXELS from the header, before inflating anything', () => {
    const header = (w: number, h: number) => ({ type: 'IHDR', data: Uint8Array.from([...u32(w), ...u32(h), 8, 6, 0, 0, 0]) });
    const garbage = { type: 'IDAT', data: new Uint8Array(100).fill(7) }; // would fail if inflated
    const end = { type: 'IEND', data: new Uint8Array() };
    expect(MAX_PIXELS).toBe(25_000_000);
    expect(() => decodePng(assemble([header(5001, 5000), garbage, end]), 'big.png')).toThrow(
      /^big\.png: 5001x5000 pixels is more than the 25-megapixel limit \(25005000 > 25000000\)$/,
    );
    expect(() => decodePng(assemble([header(2 ** 32 - 1, 2 ** 32 - 1), garbage, end]), 'big.png')).toThrow(/4294967295x4294967295 pixels is more than/);
    expect(() => decodePng(assemble([header(5000, 5000), garbage, end]), 'ok.png')).toThrow(/zlib: incorrect header check/);
  });

  it('stops inflating at the size the header implies (a 4 MB file that inflates to 4 GB)', () => {
    // Full-flushed deflate blocks stand alone, so one 1 MB block of zeros can be repeated.
    const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_FULL_FLUSH });
    const bomb = Buffer.concat([Buffer.from([0x78, 0x01]), ...Array(4096).fill(block), Buffer.from([3, 0, 0, 0, 0, 1])]);
    const ihdr = chunksOf(encodePng(randomImage(100, 100, 0, 8, false, false)))[0];
    const png = assemble([ihdr, { type: 'IDAT', data: bomb }, { type: 'IEND', data: new Uint8Array() }]);
    // 4 GB would not fit in this test's memory: refusing it at all shows inflation stopped at the limit.
    expect(() => decodePng(png, 'bomb.png')).toThrow(/^bomb\.png: corrupt: the image data inflates to more than the 10100 bytes a 100x100 image needs$/);
  });

  it('says what is wrong with a file that is not a PNG, truncated or garbled', () => {
    const good = encodePng(randomImage(13, 11, 3, 4, true, true));
    const chunks = chunksOf(good);
    const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
    const withIdat = (data: Uint8Array) => assemble([...chunks.filter((c) => c.type !== 'IDAT' && c.type !== 'IEND'), { type: 'IDAT', data }, chunks.at(-1)!]);
    const rawWith = (edit: (raw: Buffer) => void) => {
      const raw = inflateSync(idat);
      edit(raw);
      return withIdat(deflateSync(raw));
    };
    const flipped = Uint8Array.from(good);
    flipped[good.length - 20] ^= 4;
    const cases: [Uint8Array | string, RegExp][] = [
      ['this is not a png', /not a PNG file \(it does not start with the PNG signature\)/],
      ['', /not a PNG file/],
      [good.subarray(0, 8), /truncated: the file ends after 8 bytes, before the IEND chunk/],
      [good.subarray(0, 20), /truncated: the IHDR chunk at byte 8 needs 25 bytes, the file has 12 left/],
      [good.subarray(0, good.length - 30), /truncated: the IDAT chunk at byte \d+ needs \d+ bytes, the file has \d+ left/],
      [good.subarray(0, good.length - 12), /truncated: the file ends after \d+ bytes, before the IEND chunk/],
      [flipped, /corrupt: the IDAT chunk at byte \d+ fails its CRC check/],
      [withIdat(idat.subarray(0, idat.length >> 1)), /corrupt image data \(zlib: unexpected end of file\)/],
      [withIdat(Buffer.from('garbage!')), /corrupt image data \(zlib: incorrect header check\)/],
      [withIdat(deflateSync(inflateSync(idat).subarray(0, 20))), /truncated image data: 20 of 99 bytes/],
      [rawWith((raw) => (raw[0] = 9)), /corrupt image data: unknown filter type 9/],
      [assemble(chunks.flatMap((c) => (c.type === 'tRNS' ? [] : c.type === 'PLTE' ? [{ type: 'PLTE', data: c.data.subarray(0, 6) }] : [c]))), /corrupt: palette index \d+ but the palette has 2 colours/],
      [assemble(chunks.filter((c) => c.type !== 'PLTE' && c.type !== 'tRNS')), /corrupt: a palette image without a PLTE chunk/],
      [assemble(chunks.filter((c) => c.type !== 'IDAT')), /no image data \(IDAT chunk\)/],
      [assemble(chunks.slice(1)), /corrupt: the first chunk must be IHDR, and only the first/],
      [assemble([{ ...chunks[0], data: Uint8Array.from([...chunks[0].data.subarray(0, 8), 16, 3, 0, 0, 1]) }, ...chunks.slice(1)]), /invalid bit depth 16 for colour type 3/],
      [assemble([...chunks.slice(0, -1), { type: 'ABCD', data: new Uint8Array(1) }]), /unsupported critical chunk ABCD/],
    ];
    for (const [bytes, message] of cases) expect(() => decodePng(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, 'x.png')).toThrow(message);
    // Ancillary chunks it does not know are skipped.
    expect(decodePng(assemble([...chunks.slice(0, -1), { type: 'abCd', data: new Uint8Array(3) }, chunks.at(-1)!])).rgba).toEqual(decodePng(good).rgba);
  });
});

describe('decodePng under fuzzing', () => {
  const seeds = [
    randomImage(9, 7, 0, 1, true, false),
    randomImage(6, 5, 3, 4, false, true),
    randomImage(5, 9, 6, 16, true, false),
    randomImage(7, 3, 2, 8, false, true),
    randomImage(4, 4, 0, 16, false, true),
    randomImage(3, 10, 3, 2, true, true),
    randomImage(5, 4, 3, 8, true, true), // 200 colours: room for indices outside the palette
  ].map(encodePng);
  const replace = (list: Chunk[], k: number, chunk: Chunk | null) => list.flatMap((c, i) => (i !== k % list.length ? [c] : chunk ? [chunk] : []));
  // Mutations that keep lengths and CRCs right, so they reach past the chunk layer...
  const editHeader = (list: Chunk[], edit: (data: DataView) => void) => {
    const data = Uint8Array.from(list[0].data);
    if (data.length >= 13) edit(new DataView(data.buffer));
    return replace(list, 0, { type: list[0].type, data });
  };
  const chunkEdit = fc.oneof(
    fc.tuple(fc.constantFrom(0, 4), fc.oneof(fc.constant(2 ** 32 - 1), fc.nat(2 ** 32 - 1), fc.nat(6000))).map(
      ([at, v]) => (list: Chunk[]) => editHeader(list, (d) => d.setUint32(at, v)),
    ),
    fc.tuple(fc.integer({ min: 8, max: 12 }), fc.nat(255)).map(([at, v]) => (list: Chunk[]) => editHeader(list, (d) => d.setUint8(at, v))),
    fc.tuple(fc.nat(), fc.nat(), fc.nat(8), fc.uint8Array({ maxLength: 12 })).map(([k, at, remove, insert]) => (list: Chunk[]) => {
      const { type, data } = list[k % list.length];
      const p = at % (data.length + 1);
      return replace(list, k, { type, data: Buffer.concat([data.subarray(0, p), insert, data.subarray(p + remove)]) });
    }),
    // ...including to the inflated image data: filter types, palette indices, its length.
    fc.tuple(fc.nat(), fc.nat(255), fc.integer({ min: -3, max: 3 })).map(([at, v, grow]) => (list: Chunk[]) => {
      let raw: Buffer;
      try {
        raw = inflateSync(Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data)));
      } catch {
        return list; // an earlier edit broke the stream
      }
      raw[at % raw.length] = v;
      const data = deflateSync(grow < 0 ? raw.subarray(0, raw.length + grow) : Buffer.concat([raw, Buffer.alloc(grow)]));
      return list.filter((c) => c.type !== 'IDAT').flatMap((c) => (c.type === 'IEND' ? [{ type: 'IDAT', data }, c] : [c]));
    }),
    fc.tuple(fc.nat(), fc.nat()).map(([k, j]) => (list: Chunk[]) => replace(list, j, list[k % list.length])),
    fc.nat().map((k) => (list: Chunk[]) => replace(list, k, null)),
  );
  // ...and byte-level damage that usually stops there.
  const byteEdit = fc.oneof(
    fc.nat().map((n) => (b: Uint8Array) => b.subarray(0, n % (b.length + 1))),
    fc.tuple(fc.nat(), fc.nat(7)).map(([at, bit]) => (b: Uint8Array) => Uint8Array.from(b, (v, i) => (i === at % b.length ? v ^ (1 << bit) : v))),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, junk]) => (b: Uint8Array) => {
      const c = Uint8Array.from(b);
      c.set(junk.subarray(0, c.length - (at % c.length)), at % c.length);
      return c;
    }),
  );
  const mutant = fc
    .tuple(fc.constantFrom(...seeds), fc.array(chunkEdit, { maxLength: 3 }), fc.array(byteEdit, { maxLength: 2 }))
    .map(([seed, edits, damage]) => damage.reduce((b, f) => f(b), assemble(edits.reduce((list, f) => f(list), chunksOf(seed)))));

  it('ends every mutated file in a decode or its own error with a reason, within 2 s and 1 GB', async () => {
    const decoder = startSandbox('png');
    try {
      await fc.assert(
        fc.asyncProperty(mutant, async (bytes) => {
          const r = await decoder.call(bytes);
          if (r.error !== undefined) return void expect(r.error).toMatch(/^fuzz\.png: \w.{4}/);
          const { width, height, length } = r.ok as { width: number; height: number; length: number };
          expect(length).toBe(width * height * 4);
        }),
        { numRuns: 10_000, endOnFailure: true },
      );
    } finally {
      await decoder.stop();
    }
  }, 60_000);
});
