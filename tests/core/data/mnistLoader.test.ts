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
    await expect(fetchSource('/data/mnist/', fakeFetch)('train-labels-idx1-ubyte.gz')).rejects.toThrow(
      'Could not fetch /data/mnist/train-labels-idx1-ubyte.gz: HTTP 404 Not Found',
    );
  });
});
