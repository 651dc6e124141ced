/**
 * What every command-line tool shares: argument parsing with messages for
 * people, and one way to end on an error (`error: ...`, no stack trace; exit
 * 2 for bad arguments, 1 for anything else).
 */
import { availableParallelism, cpus, hostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';

let usage = '';

/** Bad arguments: the message and the usage line, exit 2. */
export function fail(message: string): never {
  console.error(`error: ${message}`);
  if (usage) console.error(`usage: ${usage}`);
  process.exit(2);
}

// Registered before tfjs's wasm runtime adds its own (which prints minified code and exits 7).
const die = (e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's parseArgs, strict, with plain messages; `--epochs -1` reaches the range check instead of looking like a flag. */
export function parseCli<O extends Options>(usageLine: string, options: O, allowPositionals = false) {
  usage = usageLine;
  const args = process.argv.slice(2);
  for (let i = 0; i + 1 < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : '';
    if (options[name]?.type === 'string' && /^-\d/.test(args[i + 1])) args.splice(i, 2, `${args[i]}=${args[i + 1]}`);
  }
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const flag = /'(-[^' ]+)/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const close = Object.keys(options).filter((o) => editDistance(`--${o}`, flag) <= 2).sort((a, b) => editDistance(`--${a}`, flag) - editDistance(`--${b}`, flag))[0];
      fail(`unknown option ${flag}${close ? ` (did you mean --${close}?)` : ''}`);
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) fail(`${flag} ${options[flag.slice(2)]?.type === 'boolean' ? 'takes no value' : 'needs a value'}`);
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') fail(`unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}`);
    fail(err.message);
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

export function intArg(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min}, got "${value}"`);
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
