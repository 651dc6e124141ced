/** The predict tool's exit codes and failure counts, on real MNIST digits and broken files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { IMAGE_PIXELS } from '../../src/core/data/mnist';
import { loadMnistFromDisk } from '../../src/node/nodeData';
import { repoRoot } from '../../src/node/paths';

const dir = mkdtempSync(join(tmpdir(), 'predict-'));
const write = (name: string, bytes: Uint8Array | string) => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};

function predict(...files: string[]) {
  const args = ['tsx', 'scripts/predict.ts', '--model', 'public/models/lenet5-original', ...files];
  const r = spawnSync('npx', args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, lines: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('npm run predict', () => {
  it('reads a 1-bit PNG of an MNIST digit like its 8-bit version, and exits 0 when all files are good', async () => {
    const { test } = await loadMnistFromDisk();
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const img = test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      // 1 bit per pixel, rows of 4 bytes, most significant bit first (a byte per pixel reads the first test digit, a 7, as a 2).
      const bits = new Uint8Array(28 * 4);
      img.forEach((v, k) => v >= 128 && (bits[Math.floor(k / 28) * 4 + ((k % 28) >> 3)] |= 0x80 >> (k % 28) % 8));
      files.push(
        write(`digit${i}-8bit.png`, encode({ width: 28, height: 28, data: Uint8Array.from(img), channels: 1, depth: 8 })),
        write(`digit${i}-1bit.png`, encode({ width: 28, height: 28, data: bits, channels: 1, depth: 1 })),
      );
    }
    const r = predict(...files);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => l.file)).toEqual(files);
    for (let i = 0; i < 4; i++) {
      expect(r.lines[2 * i].digit).toBe(test.labels[i]);
      expect(r.lines[2 * i + 1].digit).toBe(test.labels[i]);
    }
  });

  it('classifies the good files, reports each bad one and exits 1 saying how many failed', () => {
    const good = encode({ width: 28, height: 28, data: new Uint8Array(784).map((_, k) => (k % 28 === 14 && k > 112 && k < 670 ? 255 : 0)), channels: 1, depth: 8 });
    const huge = Uint8Array.from(good);
    const view = new DataView(huge.buffer);
    view.setUint32(16, 6000);
    view.setUint32(20, 6000);
    view.setUint32(29, crc32(huge.subarray(12, 29)));
    const files = [
      write('one.png', good),
      write('text.png', 'this is not a png'),
      write('cut.png', good.subarray(0, good.length - 40)),
      write('huge.png', huge),
      join(dir, 'missing.png'),
    ];
    const r = predict(...files);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('4 of 5 files failed');
    expect(r.lines.map((l) => l.file)).toEqual(files);
    expect(r.lines[0].digit).toBe(1);
    expect(r.lines.slice(1).map((l) => l.error)).toEqual([
      `cannot classify: ${files[1]}: not a PNG file (it does not start with the PNG signature)`,
      expect.stringMatching(/^cannot classify: .*cut\.png: truncated: the IDAT chunk at byte 33 needs \d+ bytes, the file has \d+ left$/),
      `cannot classify: ${files[3]}: 6000x6000 pixels is more than the 25-megapixel limit (36000000 > 25000000)`,
      expect.stringMatching(/^cannot classify: ENOENT: no such file or directory/),
    ]);
  });

  it('exits 2 on bad arguments', () => {
    expect(predict().code).toBe(2);
  });
});
