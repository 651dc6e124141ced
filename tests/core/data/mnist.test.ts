import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fillBatch,
  isGzip,
  makeSplits,
  MnistFormatError,
  parseIdxImages,
  parseIdxLabels,
  parseMnistPair,
  sliceSet,
} from '../../../src/core/data/mnist';
import { loadMnistFromDisk } from '../../../src/node/nodeData';
import { mnistDir } from '../../../src/node/paths';
import { idxImages, idxLabels } from '../../helpers/idx';

describe('IDX parsing', () => {
  it('parses images and labels', () => {
    const set = parseMnistPair(idxImages(3, (i, p) => (p === 0 ? i * 10 : 0)), idxLabels([7, 2, 1]));
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([7, 2, 1]);
    expect(set.images[784]).toBe(10);
    expect(set.images.length).toBe(3 * 784);
  });

  it('rejects a wrong magic number, and says when the file is still gzip', () => {
    const bytes = idxImages(1);
    bytes[3] = 0x01;
    expect(() => parseIdxImages(bytes, 'x')).toThrow(/bad magic number 0x00000801, expected 0x00000803/);
    const gz = new Uint8Array(32);
    gz[0] = 0x1f;
    gz[1] = 0x8b;
    expect(() => parseIdxImages(gz, 'x')).toThrow(/still gzip-compressed/);
  });

  it('rejects truncated and over-long files', () => {
    const bytes = idxImages(2);
    expect(() => parseIdxImages(bytes.subarray(0, bytes.length - 1), 'train')).toThrow(/train: truncated/);
    expect(() => parseIdxImages(bytes.subarray(0, 10), 'train')).toThrow(/shorter than the 16-byte IDX header/);
    const longer = new Uint8Array(bytes.length + 5);
    longer.set(bytes);
    expect(() => parseIdxImages(longer, 'train')).toThrow(/5 unexpected bytes/);
    expect(() => parseIdxLabels(idxLabels([1, 2]).subarray(0, 9), 'labels')).toThrow(/truncated/);
  });

  it('rejects images that are not 28x28 and labels that are not digits', () => {
    expect(() => parseIdxImages(idxImages(1, undefined, 32, 32), 'x')).toThrow(/32x32, expected 28x28/);
    expect(() => parseIdxLabels(idxLabels([3, 12]), 'y')).toThrow(/label 12 at index 1 is not a digit/);
  });

  it('rejects images and labels that do not belong together', () => {
    expect(() => parseMnistPair(idxImages(3), idxLabels([1, 2]), 'imgs', 'lbls')).toThrow(/3 images but lbls has 2 labels/);
    expect(() => parseMnistPair(idxImages(1), idxImages(1), 'imgs', 'lbls')).toThrow(MnistFormatError);
  });
});

describe('splits and batches', () => {
  const train = parseMnistPair(idxImages(100, (i) => i), idxLabels(Array.from({ length: 100 }, (_, i) => i % 10)));
  const test = parseMnistPair(idxImages(10), idxLabels(Array.from({ length: 10 }, (_, i) => i)));

  it('holds the last images out for validation and keeps the official test set', () => {
    const s = makeSplits(train, test, 20);
    expect(s.train.count).toBe(80);
    expect(s.validation.count).toBe(20);
    expect(s.validation.images[0]).toBe(80);
    expect(s.test).toBe(test);
    const limited = makeSplits(train, test, 20, 30);
    expect(limited.train.count).toBe(30);
    expect(limited.validation.count).toBe(20);
    expect(() => makeSplits(train, test, 100)).toThrow(/validation size/);
  });

  it('slices without copying', () => {
    const s = sliceSet(train, 10, 12);
    expect(s.count).toBe(2);
    expect(s.images.buffer).toBe(train.images.buffer);
    expect(s.labels[0]).toBe(0);
  });

  it('fills a float batch scaled to [0, 1] with labels', () => {
    const x = new Float32Array(2 * 784);
    const y = new Int32Array(2);
    fillBatch(train, [51, 3], x, y);
    expect(x[0]).toBeCloseTo(51 / 255);
    expect(x[784]).toBeCloseTo(3 / 255);
    expect(Array.from(y)).toEqual([1, 3]);
  });

  it('detects gzip by its magic bytes', () => {
    expect(isGzip(new Uint8Array([0x1f, 0x8b, 8]))).toBe(true);
    expect(isGzip(new Uint8Array([0, 0, 8, 3]))).toBe(false);
  });
});

describe.runIf(existsSync(join(mnistDir, 'train-images-idx3-ubyte.gz')))('the real MNIST files', () => {
  it('load with the expected counts and label balance', async () => {
    const { train, test } = await loadMnistFromDisk();
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let sum = 0;
    for (let i = 0; i < 784 * 1000; i++) sum += train.images[i];
    expect(sum / (784 * 1000) / 255).toBeGreaterThan(0.11);
    expect(sum / (784 * 1000) / 255).toBeLessThan(0.15);
  });
});
