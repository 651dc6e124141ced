import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MNIST_FILES } from '../../../src/core/data/mnist';
import { fetchSource, gunzipIfNeeded, loadMnist } from '../../../src/core/data/mnistLoader';
import { idxImages, idxLabels } from '../../helpers/idx';

const files: Record<string, Uint8Array> = {
  [MNIST_FILES.trainImages]: idxImages(4, (i) => i + 1),
  [MNIST_FILES.trainLabels]: idxLabels([0, 1, 2, 3]),
  [MNIST_FILES.testImages]: idxImages(2),
  [MNIST_FILES.testLabels]: idxLabels([9, 8]),
};

describe('MNIST loader', () => {
  it('inflates gzip files and passes through files a server already inflated', async () => {
    const source = async (file: string) => {
      const name = file.replace(/\.gz$/, '');
      // Serve one file inflated, as a server adding Content-Encoding: gzip would.
      return name === MNIST_FILES.trainLabels ? files[name] : new Uint8Array(gzipSync(files[name]));
    };
    const { train, test } = await loadMnist(source);
    expect(train.count).toBe(4);
    expect(train.images[784 * 3]).toBe(4);
    expect(Array.from(test.labels)).toEqual([9, 8]);
  });

  it('reports corrupt gzip data with the file name', async () => {
    const bad = new Uint8Array(gzipSync(files[MNIST_FILES.testImages]));
    bad.fill(7, 20, 60);
    await expect(gunzipIfNeeded(bad, 't10k-images-idx3-ubyte.gz')).rejects.toThrow(/t10k-images-idx3-ubyte.gz: corrupt gzip data/);
  });

  it('stops inflating a file past the size of its official counterpart (a gzip bomb)', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 * 2 ** 20))); // 64 MiB of zeros in about 64 KB
    expect(bomb.length).toBeLessThan(100_000);
    const source = async (file: string) => (file.startsWith(MNIST_FILES.testLabels) ? bomb : new Uint8Array(gzipSync(files[file.replace(/\.gz$/, '')])));
    await expect(loadMnist(source)).rejects.toThrow(/t10k-labels-idx1-ubyte.gz: inflates to more than the 10008 bytes/);
  });

  it('reports a truncated file by name', async () => {
    const source = async (file: string) => {
      const name = file.replace(/\.gz$/, '');
      const bytes = files[name];
      return name === MNIST_FILES.testImages ? bytes.subarray(0, bytes.length - 100) : bytes;
    };
    await expect(loadMnist(source)).rejects.toThrow(/t10k-images-idx3-ubyte: truncated/);
  });

  it('turns HTTP errors into a clear message', async () => {
    const fakeFetch = (async (url: string) => new Response('nope', { status: 404, statusText: 'Not Found', headers: { 'x-url': url } })) as typeof fetch;
    await expect(fetchSource('/data/mnist/', { fetchFn: fakeFetch })('train-labels-idx1-ubyte.gz')).rejects.toThrow(
      'Could not fetch /data/mnist/train-labels-idx1-ubyte.gz: HTTP 404 Not Found',
    );
  });

  it('abandons a request that gets no answer, or whose body stops arriving, with a clear message', async () => {
    const silent = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)))) as typeof fetch;
    await expect(fetchSource('/d', { fetchFn: silent, timeoutSeconds: 0.05 })('a.gz')).rejects.toThrow('Could not fetch /d/a.gz: timed out after 0.05 s without receiving data');
    // One chunk, then nothing.
    const stalled = (async () => new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array([1, 2])) }))) as typeof fetch;
    await expect(fetchSource('/d', { fetchFn: stalled, timeoutSeconds: 0.05 })('b.gz')).rejects.toThrow('Could not fetch /d/b.gz: timed out after 0.05 s');
  });

  it('lets a slow download that keeps moving finish', async () => {
    const slow = (async () =>
      new Response(
        new ReadableStream({
          async start(c) {
            for (let i = 0; i < 5; i++) {
              await new Promise((r) => setTimeout(r, 30));
              c.enqueue(new Uint8Array([i]));
            }
            c.close();
          },
        }),
      )) as typeof fetch;
    const progress: number[] = [];
    const source = fetchSource('/d', { fetchFn: slow, timeoutSeconds: 0.1, onProgress: (_file, received) => progress.push(received) });
    expect(Array.from(await source('c.gz'))).toEqual([0, 1, 2, 3, 4]);
    expect(progress.at(-1)).toBe(5); // and it says how far it got
  });

  it('asks past the caches when told to (a retry after a bad copy)', async () => {
    const modes: (RequestCache | undefined)[] = [];
    const fetchFn = (async (_url: string, init?: RequestInit) => (modes.push(init?.cache), new Response('x'))) as typeof fetch;
    await fetchSource('/d', { fetchFn })('a.gz');
    await fetchSource('/d', { fetchFn, cache: 'reload' })('a.gz');
    expect(modes).toEqual([undefined, 'reload']);
  });
});
