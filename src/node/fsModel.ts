/**
 * Saving and loading tfjs Layers models as model.json + weights.bin in a
 * folder (tfjs-node's file:// handler cannot be installed here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const TRAINING_LOG = 'training-log.json';

/** A model folder's training log, or null where it has none (or an unreadable one): it is provenance, not weights. */
export function readTrainingLog(dir: string): Record<string, unknown> | null {
  const path = join(dir, TRAINING_LOG);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`warning: ignoring ${path}: ${(e as Error).message}`);
    return null;
  }
}

export function folderSaver(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    await mkdir(dir, { recursive: true });
    const data = artifacts.weightData ? tf.io.concatenateArrayBuffers(([] as ArrayBuffer[]).concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[])) : new ArrayBuffer(0);
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      userDefinedMetadata: artifacts.userDefinedMetadata,
    };
    await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(data));
    await writeFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
}

export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  let json: tf.io.ModelJSON;
  const path = join(dir, MODEL_JSON);
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read a model from ${path}: ${(e as Error).message}`);
  }
  const buffers: ArrayBuffer[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) {
      const bytes = await readFile(join(dir, p));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    specs.push(...group.weights);
  }
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

export async function loadModelFromFolder(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)));
}

export async function saveModelToFolder(model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  if (metadata) model.setUserDefinedMetadata(metadata);
  await model.save(folderSaver(dir));
}
