/**
 * Model folders (model.json + weights.bin, and the training log beside them)
 * in Node; tfjs-node's file:// handler cannot be installed here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCheckedModel, parseModelJson, toArtifacts, toModelJson, weightBytes, weightPaths } from '../core/model/modelFiles';

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

export async function saveModelToFolder(model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  if (metadata) model.setUserDefinedMetadata(metadata);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weightBytes(artifacts)));
    await writeFile(join(dir, MODEL_JSON), JSON.stringify(toModelJson(artifacts, WEIGHTS_BIN)));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
}

export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const path = join(dir, MODEL_JSON);
  try {
    const json = parseModelJson(await readFile(path, 'utf8'), path);
    const buffers = await Promise.all(weightPaths(json, path).map(async (p) => new Uint8Array(await readFile(join(dir, p))).buffer));
    return toArtifacts(json, buffers, path);
  } catch (e) {
    throw new Error(`cannot read a model from ${path}: ${(e as Error).message}`);
  }
}

export async function loadModelFromFolder(dir: string): Promise<tf.LayersModel> {
  return loadCheckedModel(await readModelArtifacts(dir));
}
