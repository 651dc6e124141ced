/**
 * Loads the four MNIST files through a byte source (fetch in the browser, fs in
 * Node) and parses them. Files are served gzip-compressed; a server may already
 * have inflated them (Content-Encoding: gzip), so we inflate only what still
 * starts with the gzip magic bytes.
 */
import { MNIST_FILES, MnistFormatError, isGzip, parseMnistPair, type MnistSet } from './mnist';

/** Returns the bytes of `<name>.gz` (as stored, compressed or not). */
export type ByteSource = (fileName: string) => Promise<Uint8Array>;

export async function gunzipIfNeeded(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new MnistFormatError(file, `corrupt gzip data (${(e as Error).message})`);
  }
}

export interface MnistFiles {
  train: MnistSet;
  test: MnistSet;
}

export async function loadMnist(source: ByteSource, onProgress?: (file: string) => void): Promise<MnistFiles> {
  const read = async (name: string) => {
    const file = `${name}.gz`;
    const bytes = await gunzipIfNeeded(await source(file), file);
    onProgress?.(file);
    return bytes;
  };
  const [trI, trL, teI, teL] = await Promise.all([
    read(MNIST_FILES.trainImages),
    read(MNIST_FILES.trainLabels),
    read(MNIST_FILES.testImages),
    read(MNIST_FILES.testLabels),
  ]);
  return {
    train: parseMnistPair(trI, trL, MNIST_FILES.trainImages, MNIST_FILES.trainLabels),
    test: parseMnistPair(teI, teL, MNIST_FILES.testImages, MNIST_FILES.testLabels),
  };
}

/** A ByteSource over fetch, for the page and the worker. */
export function fetchSource(baseUrl: string, fetchFn: typeof fetch = fetch): ByteSource {
  return async (file) => {
    const url = `${baseUrl.replace(/\/$/, '')}/${file}`;
    let res: Response;
    try {
      res = await fetchFn(url);
    } catch (e) {
      throw new Error(`Could not fetch ${url}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new Error(`Could not fetch ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}
