/** Reading the model files a person picks in the page, in Node (File exists there too). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckedModel, MAX_WEIGHTS_BYTES, readPickedFiles } from '../../../src/core/model/modelFiles';
import { repoRoot } from '../../../src/node/paths';
import { useBackend } from '../../helpers/backend';

beforeAll(() => useBackend('cpu'));

const shipped = (name: string, file: string) => readFileSync(join(repoRoot, 'public/models', name, file));
const json = () => new File([shipped('lenet5-original', 'model.json')], 'lenet5-original.json');
const bin = () => new File([shipped('lenet5-original', 'weights.bin')], 'renamed.bin');

describe('reading model files', () => {
  it('reads model.json with its weights file, whatever the weights file is called', async () => {
    const artifacts = await readPickedFiles([json(), bin()]);
    const model = await loadCheckedModel(artifacts);
    expect(model.name).toBe('lenet5_original');
    model.dispose();
  });

  it('explains each way the files can be wrong', async () => {
    await expect(readPickedFiles([bin()])).rejects.toThrow(/pick the model.json file/);
    await expect(readPickedFiles([json()])).rejects.toThrow(/weights file is missing/);
    await expect(readPickedFiles([new File(['{ nope'], 'model.json'), bin()])).rejects.toThrow(/model.json is not valid JSON/);
    await expect(readPickedFiles([new File(['{"a":1}'], 'model.json'), bin()])).rejects.toThrow(/not a TensorFlow.js Layers model/);
    await expect(readPickedFiles([json(), new File([shipped('lenet5-modified', 'weights.bin')], 'w.bin')])).rejects.toThrow(/truncated or belongs to another model/);
    const huge = new File([new Uint8Array(MAX_WEIGHTS_BYTES + 1)], 'w.bin');
    await expect(readPickedFiles([json(), huge])).rejects.toThrow(/far larger than any LeNet-5/);
  });
});
