/** A person's digits: both export formats round-trip, and bad files get a clear message. */
import { describe, expect, it } from 'vitest';
import { gzipSync, strToU8, zipSync } from 'fflate';
import { digitsToIdxZip, digitsToJson, imageBytes, readDigitsFile, toMnistSet, type PersonalDigit } from '../../../src/core/data/personalDigits';
import { idxImages, idxLabels } from '../../helpers/idx';

const digit = (label: number, i = 0): PersonalDigit => ({
  label,
  image: Uint8Array.from({ length: 784 }, (_, p) => (p * 7 + i) % 256),
  strokes: [[{ x: 10.5, y: 20 }, { x: 30, y: 40.25 }], [{ x: 5, y: 5 }]],
  predicted: (label + 1) % 10,
  savedAt: 1_700_000_000_000 + i,
});
const digits = [digit(3, 0), digit(7, 1), digit(0, 2)];
const bytes = (s: string) => strToU8(s);
const json = (doc: object) => bytes(JSON.stringify(doc));
const jsonDoc = () => JSON.parse(digitsToJson(digits));

describe('personal digits files', () => {
  it('round-trips through our JSON: labels, predictions, strokes (to 0.1 px) and images', () => {
    const back = readDigitsFile(bytes(digitsToJson(digits)));
    expect(back.map((d) => [d.label, d.predicted, d.savedAt])).toEqual(digits.map((d) => [d.label, d.predicted, d.savedAt]));
    expect(back[0].image).toEqual(digits[0].image);
    expect(back[0].strokes).toEqual([[{ x: 10.5, y: 20 }, { x: 30, y: 40.3 }], [{ x: 5, y: 5 }]]);
  });

  it('round-trips through a zip of IDX files, which MNIST readers take, without strokes', () => {
    const zip = digitsToIdxZip(digits);
    const back = readDigitsFile(zip, 42);
    expect(back.map((d) => d.label)).toEqual([3, 7, 0]);
    expect(back[1].image).toEqual(digits[1].image);
    expect(back.every((d) => d.strokes.length === 0 && d.predicted === null && d.savedAt === 42)).toBe(true);
  });

  it('reads a zip with MNIST-named, gzip-compressed IDX files in a folder', () => {
    const zip = zipSync({ 'mine/t10k-images-idx3-ubyte.gz': gzipSync(idxImages(2, (i) => i)), 'mine/t10k-labels-idx1-ubyte.gz': gzipSync(idxLabels([4, 9])) });
    expect(readDigitsFile(zip).map((d) => d.label)).toEqual([4, 9]);
  });

  it('makes an MNIST set of the images, and bytes of the model\'s floats', () => {
    const set = toMnistSet(digits);
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([3, 7, 0]);
    expect(set.images.subarray(784, 1568)).toEqual(digits[1].image);
    expect(Array.from(imageBytes(new Float32Array(784).fill(0.5)).subarray(0, 2))).toEqual([128, 128]);
  });

  it('says what is wrong with a bad file', () => {
    const withDigit = (patch: object) => {
      const doc = jsonDoc();
      Object.assign(doc.digits[1], patch);
      return json(doc);
    };
    const cases: [Uint8Array, RegExp][] = [
      [bytes('hello'), /neither a digits file exported here \(\.json\) nor a zip of IDX files/],
      [bytes('{"format": '), /not valid JSON/],
      [json({ format: 'other' }), /not a digits file exported here/],
      [json({ ...jsonDoc(), version: 2 }), /version 2 of the digits format/],
      [json({ ...jsonDoc(), digits: [] }), /holds no digits/],
      [withDigit({ label: 10 }), /digit 2: its label 10 is not a digit 0-9/],
      [withDigit({ image: 'AAAA' }), /digit 2: its image has 3 bytes, not 784/],
      [withDigit({ image: '***' }), /digit 2: its image is not base64/],
      [withDigit({ strokes: [[[1, 'x']]] }), /digit 2: its strokes are not lists of \[x, y\] points/],
      [withDigit({ predicted: 'seven' }), /digit 2: its prediction "seven"/],
      [Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0), /not a readable zip file/],
      [zipSync({ 'notes.txt': bytes('hi') }), /must hold one IDX images file.*found none among notes\.txt/],
      [zipSync({ 'a-images-idx3-ubyte': idxImages(2), 'a-labels-idx1-ubyte': idxLabels([1]) }), /2 images but a-labels-idx1-ubyte has 1 labels/],
      [zipSync({ 'a-images-idx3-ubyte': idxImages(1, () => 0, 20, 20), 'a-labels-idx1-ubyte': idxLabels([1]) }), /images are 20x20, expected 28x28/],
      [zipSync({ 'a-images-idx3-ubyte': idxImages(1), 'a-labels-idx1-ubyte': idxLabels([12]) }), /label 12 at index 0 is not a digit/],
    ];
    for (const [file, message] of cases) expect(() => readDigitsFile(file), String(message)).toThrow(message);
  });
});
