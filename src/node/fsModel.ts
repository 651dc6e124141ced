/**
 * Model folders (model.json + weights.bin, and the training log beside them)
 * in Node; tfjs-node's file:// handler cannot be installed here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '../core/tf';
import { settledFolder, writeFolder } from './atomicFolder';
import { fail } from './cli';
import { UNSURE_FILE } from '../core/model/unsure';
import { loadCheckedModel, parseModelJson, toArtifacts, toModelJson, weightBytes, weightPaths } from '../core/model/modelFiles';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const TRAINING_LOG = 'training-log.json';

/** A model folder's training log, or null where it has none (or an unreadable one): it is provenance, not weights. */
export function readTrainingLog(dir: string): Record<string, unknown> | null {
  const path = join(settledFolder(dir), TRAINING_LOG);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`warning: ignoring ${path}: ${(e as Error).message}`);
    return null;
  }
}

/**
 * Writes a model folder as one atomic replacement: model.json, weights.bin
 * and the given side files (a training log); what else the folder held
 * stays, unless `keep` says otherwise. An unsure rule was chosen for the old
 * weights, so it goes (`npm run eval:unsure -- --write` makes a new one).
 */
export async function saveModelToFolder(
  model: tf.LayersModel,
  dir: string,
  metadata: Record<string, unknown>,
  sideFiles: Record<string, string> = {},
  keep?: (name: string) => boolean,
): Promise<void> {
  model.setUserDefinedMetadata(metadata);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const files = { [WEIGHTS_BIN]: new Uint8Array(weightBytes(artifacts)), [MODEL_JSON]: JSON.stringify(toModelJson(artifacts, WEIGHTS_BIN)), ...sideFiles };
    await writeFolder(dir, files, (name) => name !== UNSURE_FILE && (keep?.(name) ?? true));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
}

/**
 * Refuses an --out folder that holds work (a model or a checkpoint) unless
 * the person said --force (or, for training, --resume), and one that is also
 * an input.
 */
export function guardOutput(outDir: string, opts: { force: boolean; resume?: boolean; inputs: string[] }): void {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const input = opts.inputs.find((i) => real(i) === real(outDir));
  if (input) fail(`--out ${outDir} is also an input; write the result to another folder`);
  const dir = settledFolder(outDir);
  const model = existsSync(join(dir, MODEL_JSON));
  const checkpoint = existsSync(join(dir, 'checkpoint'));
  if (opts.force || (opts.resume && checkpoint) || (!model && !checkpoint)) return;
  const held = [model && 'a model', checkpoint && 'a training checkpoint'].filter(Boolean).join(' and ');
  fail(`${outDir} already holds ${held}; add --force to replace it${checkpoint && opts.resume !== undefined ? ', or --resume to continue its training' : ''}, or choose another --out`);
}

export async function readModelArtifacts(folder: string): Promise<tf.io.ModelArtifacts> {
  const dir = settledFolder(folder);
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

/** SHA-256 of a model folder's weights: ties a file written for these weights (an unsure rule) to them. */
export async function weightsDigest(dir: string): Promise<string> {
  return createHash('sha256').update(new Uint8Array(weightBytes(await readModelArtifacts(dir)))).digest('hex');
}
