/** A training checkpoint on disk: meta.json + weights.bin + optimizer.bin, replaced as a whole. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '../core/tf';
import { DEFAULT_VALIDATION_SIZE } from '../core/data/mnist';
import { checkpointMeta, type Checkpoint } from '../core/train/checkpoint';
import { settingsErrors } from '../core/train/settings';
import { settledFolder, writeFolder } from './atomicFolder';

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(settledFolder(dir), 'meta.json'));
}

export async function writeCheckpoint(dir: string, cp: Checkpoint, extra: Record<string, unknown> = {}): Promise<void> {
  await writeFolder(
    dir,
    {
      'weights.bin': new Uint8Array(cp.weights.data),
      'optimizer.bin': new Uint8Array(cp.optimizer.data),
      'meta.json': JSON.stringify({ ...checkpointMeta(cp), ...extra }, null, 1),
    },
    () => false,
  );
}

export async function readCheckpoint(folder: string): Promise<{ checkpoint: Checkpoint; extra: Record<string, unknown> }> {
  const dir = settledFolder(folder);
  const metaPath = join(dir, 'meta.json');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (e) {
    throw new Error(`no readable checkpoint in ${dir}: ${(e as Error).message}`);
  }
  const problem = metaProblem(meta);
  if (problem) throw new Error(`${metaPath} is not a checkpoint this app can continue: ${problem}`);
  const { weightSpecs, optimizerSpecs, version, config, epochsDone, globalStep, schedule, history, ...extra } = meta as ReturnType<typeof checkpointMeta> & Record<string, unknown>;
  const buf = async (name: string, specs: tf.io.WeightsManifestEntry[]) => {
    const b = await readFile(join(dir, name));
    const expected = specs.reduce((n, s) => n + 4 * tf.util.sizeFromShape(s.shape), 0);
    if (b.byteLength !== expected) throw new Error(`${join(dir, name)} has ${b.byteLength} bytes, meta.json describes ${expected}`);
    return new Uint8Array(b).buffer;
  };
  const checkpoint: Checkpoint = {
    version,
    config,
    epochsDone,
    globalStep,
    schedule: { ...schedule, bestLoss: schedule.bestLoss ?? Infinity },
    history,
    weights: { specs: weightSpecs, data: await buf('weights.bin', weightSpecs) },
    optimizer: { specs: optimizerSpecs, data: await buf('optimizer.bin', optimizerSpecs) },
  };
  return { checkpoint, extra };
}

/** What makes parsed meta.json unusable, or null. */
function metaProblem(m: Record<string, unknown> | null): string | null {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return 'it is not an object';
  if (m.version !== 1) return `its version is ${String(m.version)}, and this app reads version 1`;
  const trainLimit = m.trainLimit === null || m.trainLimit === undefined ? undefined : m.trainLimit;
  const errors = settingsErrors({ config: m.config as Checkpoint['config'], validationSize: (m.validationSize ?? DEFAULT_VALIDATION_SIZE) as number, trainLimit: trainLimit as number });
  if (errors.length) return errors.join('; ');
  const { epochs } = m.config as Checkpoint['config'];
  if (!Number.isInteger(m.epochsDone) || (m.epochsDone as number) < 0 || (m.epochsDone as number) > epochs) return `epochsDone is ${String(m.epochsDone)}`;
  if (!Number.isInteger(m.globalStep) || (m.globalStep as number) < 0) return `globalStep is ${String(m.globalStep)}`;
  if (!m.schedule || typeof m.schedule !== 'object') return 'it has no schedule state';
  if (!Array.isArray(m.history) || m.history.length !== m.epochsDone) return 'its history does not match its epochs';
  const specsOk = (s: unknown) => Array.isArray(s) && s.every((x) => x && typeof x.name === 'string' && Array.isArray(x.shape) && x.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0));
  if (!specsOk(m.weightSpecs) || !specsOk(m.optimizerSpecs)) return 'its tensor lists are malformed';
  return null;
}
