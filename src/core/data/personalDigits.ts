/**
 * A person's own digits: what the pad kept when they corrected a prediction
 * (or kept a right one), and the two files they travel in: our JSON (strokes
 * and images) and a zip of an IDX image file and an IDX label file, as MNIST's
 * own, for any MNIST tool. Every import is checked, with a message a person
 * can act on.
 */
import { gunzipSync, unzipSync, zipSync } from 'fflate';
import type { PenPoint } from '../drawing/pendigits';
import { IMAGE_PIXELS, IMAGE_SIZE, isGzip, MnistFormatError, NUM_CLASSES, parseMnistPair, type MnistSet } from './mnist';

export interface PersonalDigit {
  label: number;
  /** The 28x28 image the model saw, one byte a pixel, 0 = background (MNIST's convention). */
  image: Uint8Array;
  /** The pad's strokes (pad pixels, y down); none for digits imported from IDX files. */
  strokes: PenPoint[][];
  /** What the model read when the digit was kept; null when unknown (imported). */
  predicted: number | null;
  /** When it was kept, ms since 1970. */
  savedAt: number;
}

export const DIGITS_FORMAT = 'mnist-trainer-digits';
/** Far more than a person draws; keeps a wrong file from filling the browser. */
export const MAX_DIGITS = 10_000;
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const MAX_POINTS = 5_000;
export const IDX_NAMES = { images: 'my-digits-images-idx3-ubyte', labels: 'my-digits-labels-idx1-ubyte' } as const;

export class DigitsFileError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'DigitsFileError';
  }
}

/** The 784 floats in [0, 1] the model saw, as bytes. */
export function imageBytes(pixels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(IMAGE_PIXELS);
  for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
  return out;
}

export function toMnistSet(digits: readonly PersonalDigit[]): MnistSet {
  const images = new Uint8Array(digits.length * IMAGE_PIXELS);
  digits.forEach((d, i) => images.set(d.image, i * IMAGE_PIXELS));
  return { images, labels: Uint8Array.from(digits, (d) => d.label), count: digits.length };
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export function digitsToJson(digits: readonly PersonalDigit[]): string {
  const rows = digits.map((d) => ({
    label: d.label,
    predicted: d.predicted,
    savedAt: d.savedAt,
    strokes: d.strokes.map((s) => s.map((p) => [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10])),
    image: base64(d.image),
  }));
  return JSON.stringify({ format: DIGITS_FORMAT, version: 1, digits: rows });
}

export function digitsToIdxZip(digits: readonly PersonalDigit[]): Uint8Array {
  const n = digits.length;
  const images = new Uint8Array(16 + n * IMAGE_PIXELS);
  const iv = new DataView(images.buffer);
  [0x803, n, IMAGE_SIZE, IMAGE_SIZE].forEach((v, i) => iv.setUint32(i * 4, v));
  images.set(toMnistSet(digits).images, 16);
  const labels = new Uint8Array(8 + n);
  const lv = new DataView(labels.buffer);
  [0x801, n].forEach((v, i) => lv.setUint32(i * 4, v));
  labels.set(digits.map((d) => d.label), 8);
  return zipSync({ [IDX_NAMES.images]: images, [IDX_NAMES.labels]: labels });
}

/** Reads either export (told apart by their first bytes); throws DigitsFileError saying what is wrong. */
export function readDigitsFile(bytes: Uint8Array, now = Date.now()): PersonalDigit[] {
  if (bytes.byteLength > MAX_FILE_BYTES) throw new DigitsFileError(`the file is ${(bytes.byteLength / 2 ** 20).toFixed(0)} MB, more than the ${MAX_FILE_BYTES / 2 ** 20} MB a file of digits may have`);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readIdxZip(bytes, now);
  const text = new TextDecoder().decode(bytes).trimStart();
  if (text.startsWith('{')) return readJson(text);
  throw new DigitsFileError('it is neither a digits file exported here (.json) nor a zip of IDX files');
}

function readJson(text: string): PersonalDigit[] {
  let doc: { format?: unknown; version?: unknown; digits?: unknown };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DigitsFileError(`it is not valid JSON (${(e as Error).message})`);
  }
  if (doc?.format !== DIGITS_FORMAT) throw new DigitsFileError(`it is JSON, but not a digits file exported here (no "format": "${DIGITS_FORMAT}")`);
  if (doc.version !== 1) throw new DigitsFileError(`it is version ${String(doc.version)} of the digits format; this app reads version 1`);
  if (!Array.isArray(doc.digits)) throw new DigitsFileError('its "digits" is not a list');
  checkCount(doc.digits.length);
  return doc.digits.map((d, i) => readJsonDigit(d, i));
}

function readJsonDigit(d: Record<string, unknown>, i: number): PersonalDigit {
  const bad = (what: string): never => {
    throw new DigitsFileError(`digit ${i + 1}: ${what}`);
  };
  const isDigit = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < NUM_CLASSES;
  if (!isDigit(d?.label)) bad(`its label ${JSON.stringify(d?.label)} is not a digit 0-9`);
  if (d.predicted !== null && !isDigit(d.predicted)) bad(`its prediction ${JSON.stringify(d.predicted)} is neither a digit nor null`);
  if (typeof d.savedAt !== 'number' || !Number.isFinite(d.savedAt)) bad('its savedAt is not a time');
  let image: Uint8Array;
  try {
    image = Uint8Array.from(atob(String(d.image)), (c) => c.charCodeAt(0));
  } catch {
    return bad('its image is not base64');
  }
  if (image.length !== IMAGE_PIXELS) bad(`its image has ${image.length} bytes, not ${IMAGE_PIXELS} (28x28)`);
  const ok = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
  const strokes = d.strokes;
  if (!Array.isArray(strokes) || !strokes.every((s) => Array.isArray(s) && s.every(ok))) bad('its strokes are not lists of [x, y] points');
  if ((strokes as unknown[][]).reduce((n, s) => n + s.length, 0) > MAX_POINTS) bad(`its strokes have more than ${MAX_POINTS} points`);
  return {
    label: d.label as number,
    predicted: d.predicted as number | null,
    savedAt: d.savedAt as number,
    image,
    strokes: (strokes as [number, number][][]).map((s) => s.map(([x, y]) => ({ x, y }))),
  };
}

function readIdxZip(bytes: Uint8Array, now: number): PersonalDigit[] {
  let entries: Record<string, Uint8Array>;
  try {
    // The sizes a zip declares are checked before anything is inflated.
    entries = unzipSync(bytes, { filter: (f) => !f.name.endsWith('/') && !f.name.startsWith('__MACOSX') && f.originalSize <= MAX_FILE_BYTES });
  } catch (e) {
    throw new DigitsFileError(`it is not a readable zip file (${(e as Error).message})`);
  }
  const find = (kind: 'images' | 'labels', magic: string) => {
    const names = Object.keys(entries).filter((n) => [magic, kind].some((part) => n.split('/').pop()!.includes(part)));
    if (names.length !== 1) throw new DigitsFileError(`the zip must hold one IDX ${kind} file (a name with "${magic}"); found ${names.length ? names.join(', ') : 'none'} among ${Object.keys(entries).join(', ') || 'no files'}`);
    const raw = entries[names[0]];
    return { name: names[0], data: isGzip(raw) ? gunzipSync(raw) : raw };
  };
  const images = find('images', 'idx3');
  const labels = find('labels', 'idx1');
  let set: MnistSet;
  try {
    set = parseMnistPair(images.data, labels.data, images.name, labels.name);
  } catch (e) {
    if (e instanceof MnistFormatError) throw new DigitsFileError(e.message);
    throw e;
  }
  checkCount(set.count);
  return Array.from({ length: set.count }, (_, i) => ({
    label: set.labels[i],
    image: set.images.slice(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS),
    strokes: [],
    predicted: null,
    savedAt: now,
  }));
}

function checkCount(n: number): void {
  if (n === 0) throw new DigitsFileError('it holds no digits');
  if (n > MAX_DIGITS) throw new DigitsFileError(`it holds ${n} digits, more than the ${MAX_DIGITS} this app keeps`);
}
