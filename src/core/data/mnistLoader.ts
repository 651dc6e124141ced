/**
 * Loads the four MNIST files through a byte source (fetch in the browser, fs in
 * Node) and parses them. Files are served gzip-compressed; a server may already
 * have inflated them (Content-Encoding: gzip), so we inflate only what still
 * starts with the gzip magic bytes.
 */
import { idxBytes, MNIST_FILES, MnistFormatError, isGzip, parseMnistPair, type MnistSet } from './mnist';

/** Returns the bytes of `<name>.gz` (as stored, compressed or not). */
export type ByteSource = (fileName: string) => Promise<Uint8Array>;

/** Inflates gzip data, giving up on data that inflates past `maxBytes` (a gzip bomb is a few KB). */
export async function gunzipIfNeeded(bytes: Uint8Array, file: string, maxBytes = Infinity): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new MnistFormatError(file, `inflates to more than the ${maxBytes} bytes an MNIST file of its kind can have`);
      }
      chunks.push(r.value);
    }
  } catch (e) {
    if (e instanceof MnistFormatError) throw e;
    throw new MnistFormatError(file, `corrupt gzip data (${(e as Error).message || 'it ends too early'})`);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

export interface MnistFiles {
  train: MnistSet;
  test: MnistSet;
}

export async function loadMnist(source: ByteSource): Promise<MnistFiles> {
  const read = async (name: string) => {
    const file = `${name}.gz`;
    return gunzipIfNeeded(await source(file), file, idxBytes(name));
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

export interface FetchOptions {
  fetchFn?: typeof fetch;
  /** A request that receives nothing for this long is given up. */
  timeoutSeconds?: number;
  /** Bytes received so far of each file, and its size when the server says it. */
  onProgress?: (file: string, received: number, size: number | null) => void;
  /** 'reload' to fetch past every cache (the HTTP cache, the service worker's). */
  cache?: RequestCache;
}

/**
 * A ByteSource over fetch, for the page and the worker. With `timeoutSeconds`,
 * a request that receives nothing for that long (no answer, or a body that
 * stops arriving) is abandoned; a slow download that keeps moving is not.
 */
export function fetchSource(baseUrl: string, { fetchFn = fetch, timeoutSeconds, onProgress, cache }: FetchOptions = {}): ByteSource {
  return async (file) => {
    const url = `${baseUrl.replace(/\/$/, '')}/${file}`;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const rearm = () => {
      clearTimeout(timer);
      if (timeoutSeconds) timer = setTimeout(() => abort.abort(), timeoutSeconds * 1000);
    };
    try {
      rearm();
      const res = await fetchFn(url, { signal: abort.signal, cache });
      if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      const size = Number(res.headers.get('content-length')) || null;
      let received = 0;
      const body = res.body?.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            rearm();
            received += chunk.byteLength;
            onProgress?.(file, received, size);
            out.enqueue(chunk);
          },
        }),
        { signal: abort.signal },
      );
      return new Uint8Array(await (body ? new Response(body) : res).arrayBuffer());
    } catch (e) {
      throw new Error(`Could not fetch ${url}: ${abort.signal.aborted ? `timed out after ${timeoutSeconds} s without receiving data` : (e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  };
}
