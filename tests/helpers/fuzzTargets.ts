/** What the fuzz tests feed mutated files to, inside a sandbox worker (sandbox.ts). */
import * as tf from './tf';
import { parseMnistPair } from '../../src/core/data/mnist';
import { loadCheckedModel, parseModelJson, toArtifacts, weightPaths } from '../../src/core/model/modelFiles';
import { decodePng } from '../../src/node/png';

export function png(bytes: Uint8Array) {
  const { width, height, rgba } = decodePng(bytes, 'fuzz.png');
  return { width, height, length: rgba.length };
}

export function idx({ images, labels }: { images: Uint8Array; labels: Uint8Array }) {
  const set = parseMnistPair(images, labels, 'images', 'labels');
  return { count: set.count, imageBytes: set.images.length, labelBytes: set.labels.length };
}

/** model.json text and one weights file, read and built as a model folder is. */
export async function modelFolder({ json, bin }: { json: string; bin: Uint8Array }) {
  await tf.setBackend('cpu');
  const parsed = parseModelJson(json, 'model.json');
  weightPaths(parsed);
  const model = await loadCheckedModel(toArtifacts(parsed, [bin.slice().buffer], 'model.json'));
  const out = { layers: model.layers.length, weights: model.weights.length };
  model.dispose();
  return out;
}
