/** Small helpers shared by the command-line scripts. */
import { availableParallelism, cpus, hostname } from 'node:os';

export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

export function intArg(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function numArg(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${value}"`);
  return n;
}

export function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** The machine a run happened on, for training logs. */
export function machineInfo() {
  return { cpus: cpus().length, cpu: cpus()[0]?.model, host: hostname(), node: process.version };
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}
