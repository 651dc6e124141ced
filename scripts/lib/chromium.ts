/**
 * Debian's Chromium driven by Playwright, for the end-to-end tests and the
 * scripts that drive the app in a browser (Playwright cannot download its own
 * browser here), with the flags that keep it quiet on a closed network.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { topDigit } from '../../src/core/drawing/digit';
import { toPad, type PenDigit } from '../../src/core/drawing/pendigits';
import { PAD_SIZE } from '../../src/core/drawing/strokeRaster';
import type { ReplayResult } from '../../src/node/drawnReplay';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs] });
}

/**
 * Replays a pen-written digit on the app's pad with the mouse, at the
 * writer's own size and place, and reads back the prediction the page shows.
 */
export async function replayDigit(page: Page, digit: PenDigit): Promise<ReplayResult> {
  const pad = page.getByRole('img', { name: 'Draw a digit' });
  await pad.press('Escape');
  const box = (await pad.boundingBox())!;
  const scale = box.width / PAD_SIZE;
  for (const stroke of digit.strokes) {
    const pts = stroke.map((p) => toPad(p, PAD_SIZE));
    await page.mouse.move(box.x + pts[0].x * scale, box.y + pts[0].y * scale);
    await page.mouse.down();
    for (const p of pts.slice(1)) await page.mouse.move(box.x + p.x * scale, box.y + p.y * scale);
    await page.mouse.up();
  }
  // Wait for the prediction made from this very drawing (the pad counts its edits).
  const bars = page.getByRole('list', { name: 'Probability of each digit' });
  await page.waitForFunction(() => {
    const c = document.querySelector('canvas.pad') as HTMLCanvasElement | null;
    const b = document.querySelector('ol.bars') as HTMLElement | null;
    return !!c && !!b && c.dataset.changes === b.dataset.changes;
  });
  const attr = await bars.getAttribute('data-probabilities');
  if (!attr) return { digit, predicted: null, probabilities: null };
  const probabilities = attr.split(' ').map(Number);
  return { digit, predicted: topDigit(probabilities), probabilities };
}

