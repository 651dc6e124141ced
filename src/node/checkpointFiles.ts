/** A training checkpoint on disk: meta.json + weights.bin + optimizer.bin, replaced atomically. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointMeta, type Checkpoint } from '../core/train/checkpoint';

export async function writeCheckpoint(dir: string, cp: Checkpoint, extra: Record<string, unknown> = {}): Promise<void> {
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(tmp, 'weights.bin'), new Uint8Array(cp.weights.data));
  await writeFile(join(tmp, 'optimizer.bin'), new Uint8Array(cp.optimizer.data));
  await writeFile(join(tmp, 'meta.json'), JSON.stringify({ ...checkpointMeta(cp), ...extra }, null, 1));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

export async function readCheckpoint(dir: string): Promise<{ checkpoint: Checkpoint; extra: Record<string, unknown> }> {
  let meta: ReturnType<typeof checkpointMeta> & Record<string, unknown>;
  try {
    meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'));
  } catch (e) {
    throw new Error(`no readable checkpoint in ${dir}: ${(e as Error).message}`);
  }
  const buf = async (name: string) => {
    const b = await readFile(join(dir, name));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const { weightSpecs, optimizerSpecs, ...rest } = meta;
  const checkpoint: Checkpoint = {
    version: rest.version,
    config: rest.config,
    epochsDone: rest.epochsDone,
    globalStep: rest.globalStep,
    schedule: { ...rest.schedule, bestLoss: rest.schedule.bestLoss ?? Infinity },
    history: rest.history,
    weights: { specs: weightSpecs, data: await buf('weights.bin') },
    optimizer: { specs: optimizerSpecs, data: await buf('optimizer.bin') },
  };
  const extra = Object.fromEntries(Object.entries(rest).filter(([k]) => !(k in checkpoint)));
  return { checkpoint, extra };
}
