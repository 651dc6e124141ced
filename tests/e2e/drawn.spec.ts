/**
 * Real handwriting on the pad: pen strokes from the UCI pen-based digits,
 * replayed with the mouse at each writer's own size and place.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { samplePerClass } from '../../src/core/drawing/pendigits';
import { loadPenDigits, summarize, type ReplayResult } from '../../src/node/drawnReplay';
import { replayDigit } from '../../scripts/lib/chromium';
import { repoRoot } from '../../src/node/paths';
import { openApp } from './helpers';

// 100 digits: enough to catch a pad that reads drawings differently; all 7,494 are read offline by the unit tests.
const PER_CLASS = 10;

test('reads real tablet-written digits replayed on the pad, and npm run predict agrees with the pad', async ({ page }, info) => {
  test.setTimeout(600_000);
  const sample = samplePerClass(loadPenDigits(), PER_CLASS);
  await openApp(page);
  const results: ReplayResult[] = [];
  const pngs: { file: string; shown: number | null }[] = [];
  for (const digit of sample) {
    const r = await replayDigit(page, digit);
    results.push(r);
    if (digit.index % 7 === 0 && pngs.length < 20) {
      // Keep the pad's own pixels for the command-line check below.
      const url = await page.getByRole('img', { name: 'Draw a digit' }).evaluate((c: HTMLCanvasElement) => c.toDataURL('image/png'));
      const file = info.outputPath(`pad-${digit.index}.png`);
      writeFileSync(file, Buffer.from(url.split(',')[1], 'base64'));
      pngs.push({ file, shown: r.predicted });
    }
  }
  const s = summarize(results);
  console.log(`drawn digits: ${(s.accuracy * 100).toFixed(1)}% of ${s.count}; per class ${s.perClass.map((c) => `${c.digit}:${(c.accuracy * 100).toFixed(0)}%`).join(' ')}`);
  expect(s.count).toBe(10 * PER_CLASS);
  expect(s.accuracy).toBeGreaterThanOrEqual(0.9);

  // One preprocessing, one truth: the CLI reads the pad's pixels the way the pad did.
  const r = spawnSync('npm', ['run', '--silent', 'predict', '--', '--model', join(repoRoot, 'public/models/lenet5-modified'), ...pngs.map((p) => p.file)], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.digit)).toEqual(pngs.map((p) => p.shown));
});
