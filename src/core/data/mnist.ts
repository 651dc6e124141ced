/**
 * MNIST in IDX format: parsing with validation, the train/validation/test
 * splits, and batch assembly. Pure code: the page, the worker and Node feed it
 * bytes from fetch or fs.
 */

export const IMAGE_SIZE = 28;
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;

/** The four files, as served from public/data/mnist/ (gzip) and named in mnist.sha256. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const TRAIN_COUNT = 60000;
export const TEST_COUNT = 10000;
/** Held out of the end of the training file for validation. */
export const DEFAULT_VALIDATION_SIZE = 5000;

/** The size of an official MNIST file, which no file of ours may exceed. */
export function idxBytes(name: string): number {
  const count = name.startsWith('train') ? TRAIN_COUNT : TEST_COUNT;
  return name.includes('images') ? 16 + count * IMAGE_PIXELS : 8 + count;
}

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

export class MnistFormatError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'MnistFormatError';
  }
}

/** A set of images (N x 784 bytes, row-major, 0 = background) and their labels. */
export interface MnistSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

function header(bytes: Uint8Array, file: string, magic: number, headerBytes: number): DataView {
  if (bytes.byteLength < headerBytes) {
    throw new MnistFormatError(file, `only ${bytes.byteLength} bytes, shorter than the ${headerBytes}-byte IDX header (truncated or not an IDX file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (it is still gzip-compressed)' : '';
    throw new MnistFormatError(file, `bad magic number 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}${hint}`);
  }
  return view;
}

function checkLength(bytes: Uint8Array, file: string, expected: number): void {
  if (bytes.byteLength < expected) {
    throw new MnistFormatError(file, `truncated: ${bytes.byteLength} bytes, the header promises ${expected}`);
  }
  if (bytes.byteLength > expected) {
    throw new MnistFormatError(file, `${bytes.byteLength - expected} unexpected bytes after the data (${expected} expected)`);
  }
}

export function parseIdxImages(bytes: Uint8Array, file = 'images'): { images: Uint8Array; count: number } {
  const view = header(bytes, file, IMAGES_MAGIC, 16);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new MnistFormatError(file, `images are ${rows}x${cols}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`);
  }
  if (count === 0) throw new MnistFormatError(file, 'it holds no images');
  checkLength(bytes, file, 16 + count * IMAGE_PIXELS);
  return { images: bytes.subarray(16), count };
}

export function parseIdxLabels(bytes: Uint8Array, file = 'labels'): { labels: Uint8Array; count: number } {
  const view = header(bytes, file, LABELS_MAGIC, 8);
  const count = view.getUint32(4);
  if (count === 0) throw new MnistFormatError(file, 'it holds no labels');
  checkLength(bytes, file, 8 + count);
  const labels = bytes.subarray(8);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= NUM_CLASSES) throw new MnistFormatError(file, `label ${labels[i]} at index ${i} is not a digit`);
  }
  return { labels, count };
}

/** Parses an images file and its labels file and checks that they belong together. */
export function parseMnistPair(imageBytes: Uint8Array, labelBytes: Uint8Array, imageFile = 'images', labelFile = 'labels'): MnistSet {
  const { images, count } = parseIdxImages(imageBytes, imageFile);
  const { labels, count: labelCount } = parseIdxLabels(labelBytes, labelFile);
  if (count !== labelCount) {
    throw new MnistFormatError(imageFile, `${count} images but ${labelFile} has ${labelCount} labels`);
  }
  return { images, labels, count };
}

/** Rows [start, end) of a set, without copying. */
export function sliceSet(set: MnistSet, start: number, end: number): MnistSet {
  const s = Math.max(0, Math.min(start, set.count));
  const e = Math.max(s, Math.min(end, set.count));
  return { images: set.images.subarray(s * IMAGE_PIXELS, e * IMAGE_PIXELS), labels: set.labels.subarray(s, e), count: e - s };
}

/** A copy of a set in shared memory: posted to other threads, it is shared, not copied again. */
export function shareSet(set: MnistSet): MnistSet {
  const images = new Uint8Array(new SharedArrayBuffer(set.images.byteLength));
  images.set(set.images);
  const labels = new Uint8Array(new SharedArrayBuffer(set.labels.byteLength));
  labels.set(set.labels);
  return { images, labels, count: set.count };
}

export interface MnistSplits {
  train: MnistSet;
  validation: MnistSet;
  test: MnistSet;
}

/**
 * The fixed splits: the last `validationSize` training images are held out for
 * validation; the official 10,000 test images are the test set. `trainLimit`
 * keeps only the first N remaining training images (quick runs).
 */
export function makeSplits(trainFile: MnistSet, testFile: MnistSet, validationSize = DEFAULT_VALIDATION_SIZE, trainLimit?: number): MnistSplits {
  if (validationSize < 0 || validationSize >= trainFile.count) {
    throw new Error(`validation size ${validationSize} must be between 0 and ${trainFile.count - 1}`);
  }
  const trainEnd = trainFile.count - validationSize;
  const limit = trainLimit === undefined ? trainEnd : Math.min(trainEnd, Math.max(1, trainLimit));
  return {
    train: sliceSet(trainFile, 0, limit),
    validation: sliceSet(trainFile, trainEnd, trainFile.count),
    test: testFile,
  };
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Copies the images at `indices` into `out` as floats in [0, 1] (NHWC with
 * C = 1) and their labels into `labelsOut`.
 */
export function fillBatch(set: MnistSet, indices: ArrayLike<number>, out: Float32Array, labelsOut: Int32Array): void {
  const { images, labels } = set;
  const scale = 1 / 255;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * IMAGE_PIXELS;
    const dst = b * IMAGE_PIXELS;
    for (let p = 0; p < IMAGE_PIXELS; p++) out[dst + p] = images[src + p] * scale;
    labelsOut[b] = labels[indices[b]];
  }
}
