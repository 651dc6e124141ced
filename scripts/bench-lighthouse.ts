/**
 * npm run bench:lighthouse -- [--json] [--runs N]
 *
 * A phone's first visit, as Lighthouse judges it: builds the app, serves the
 * production build as the README's start command does (vite preview, with its
 * headers), runs Lighthouse's default mobile profile (slow 4G, 4x slower CPU)
 * in Debian's Chromium N times (3 by default) and prints the median of each
 * category score and metric. Figures only; nothing is asserted.
 */
import { execSync } from 'node:child_process';
import lighthouse from 'lighthouse';
import { preview } from 'vite';
import { intArg, parseCli } from '../src/node/cli';
import { repoRoot } from '../src/node/paths';
import { launchChromium } from './lib/chromium';

const { values } = parseCli('npm run bench:lighthouse -- [--json] [--runs N]', { json: { type: 'boolean', default: false }, runs: { type: 'string' } });
const runs = intArg(values.runs, 'runs', 3);
const log = (s: string) => values.json || console.error(s);
const PORT = 4177;
const DEBUG_PORT = 9233;

log('building the app...');
execSync('npx vite build --logLevel warn', { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
const server = await preview({ root: repoRoot, preview: { host: '127.0.0.1', port: PORT, strictPort: true }, logLevel: 'warn' });
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const METRICS = {
  firstContentfulPaintMs: 'first-contentful-paint',
  largestContentfulPaintMs: 'largest-contentful-paint',
  timeToInteractiveMs: 'interactive',
  totalBlockingTimeMs: 'total-blocking-time',
  bytesTransferred: 'total-byte-weight',
} as const;
type Row = Record<string, number>;
const rows: Row[] = [];
const failed: Record<string, string[]> = {};
try {
  for (let i = 0; i < runs; i++) {
    // A fresh browser each run: nothing cached from the last.
    const browser = await launchChromium([`--remote-debugging-port=${DEBUG_PORT}`]);
    try {
      const result = await lighthouse(`http://127.0.0.1:${PORT}/`, { port: DEBUG_PORT, logLevel: 'error', output: 'json' });
      const lhr = result!.lhr;
      const row: Row = {};
      for (const c of CATEGORIES) row[c] = lhr.categories[c].score ?? NaN;
      for (const [name, audit] of Object.entries(METRICS)) row[name] = lhr.audits[audit].numericValue ?? NaN;
      rows.push(row);
      for (const c of CATEGORIES) {
        for (const ref of lhr.categories[c].auditRefs) {
          const a = lhr.audits[ref.id];
          if (ref.weight > 0 && a.score !== null && a.score < 0.9) (failed[c] ??= []).includes(a.title) || failed[c].push(a.title);
        }
      }
      log(`run ${i + 1}: ${CATEGORIES.map((c) => `${c} ${row[c].toFixed(2)}`).join(', ')}; LCP ${(row.largestContentfulPaintMs / 1000).toFixed(1)} s, TBT ${row.totalBlockingTimeMs.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await new Promise<void>((r) => server.httpServer.close(() => r()));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows.map((r) => r[k]))]));
if (values.json) console.log(JSON.stringify({ runs, median: summary, flagged: failed }));
else {
  console.log(`median of ${runs} runs (Lighthouse's mobile profile):`);
  for (const c of CATEGORIES) console.log(`  ${c.padEnd(16)} ${summary[c].toFixed(2)}`);
  console.log(`  first contentful paint   ${(summary.firstContentfulPaintMs / 1000).toFixed(1)} s`);
  console.log(`  largest contentful paint ${(summary.largestContentfulPaintMs / 1000).toFixed(1)} s`);
  console.log(`  time to interactive      ${(summary.timeToInteractiveMs / 1000).toFixed(1)} s`);
  console.log(`  total blocking time      ${summary.totalBlockingTimeMs.toFixed(0)} ms`);
  console.log(`  bytes transferred        ${(summary.bytesTransferred / 1e6).toFixed(2)} MB`);
  for (const [c, titles] of Object.entries(failed)) console.log(`  flagged in ${c}: ${titles.join('; ')}`);
}
process.exit(0);
