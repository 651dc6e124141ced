/**
 * The page loads no TensorFlow.js: the models live in the prediction worker and the training side is
 * fetched on demand. One value import from a module that reaches tfjs would put it in the page's bundle.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect, it } from 'vitest';

/** The chains of value imports (and re-exports) from `entry` that end in a @tensorflow package. */
function tfjsChains(entry: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(?!type\b)([^'"]*?)from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[2] ?? m[3];
      if (/^\{\s*type\s[^,]*\}/.test(m[1] ?? '')) continue;
      if (spec.startsWith('@tensorflow')) found.push([...chain, file, spec].join(' -> '));
      if (!spec.startsWith('.')) continue;
      const base = resolve(dirname(file), spec);
      const next = ['.ts', '.tsx', ''].map((ext) => base + ext).find((p) => existsSync(p) && statSync(p).isFile() && /\.tsx?$/.test(p));
      if (next) walk(next, [...chain, file]);
    }
  };
  walk(resolve(entry), []);
  return found;
}

it('the page reaches no TensorFlow.js through its imports', () => {
  expect(tfjsChains('src/main.tsx')).toEqual([]);
  expect(tfjsChains('src/worker/predictWorker.ts').length).toBeGreaterThan(0); // the walk does find tfjs where it is
});
