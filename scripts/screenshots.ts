/**
 * npm run screenshots
 *
 * Builds the app, serves it as `bash scripts/start.sh` does, and saves the
 * README's pictures in docs/: the layer view, an unsure prediction, the
 * shareable settings, and the page at a phone's 360 px. Real pen-drawn digits
 * (data/pendigits-orig.tra.gz) are replayed on the pad with the mouse.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { preview } from 'vite';
import { loadPenDigits } from '../src/node/drawnReplay';
import { repoRoot } from '../src/node/paths';
import { launchChromium, replayDigit } from './lib/chromium';

const PORT = 4177;
const out = join(repoRoot, 'docs');
mkdirSync(out, { recursive: true });
execSync('npx vite build --logLevel warn', { cwd: repoRoot, stdio: 'inherit' });
const server = await preview({ root: repoRoot, preview: { host: '127.0.0.1', port: PORT, strictPort: true }, logLevel: 'warn' });
const browser = await launchChromium();
try {
  const pen = loadPenDigits();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.getByRole('status').filter({ hasText: 'draw a digit' }).waitFor();
  const draw = page.getByRole('region', { name: 'Draw a digit' });
  const status = page.getByRole('status');

  // An unsure answer: the first pen digit the shipped model hesitates over.
  for (const digit of pen) {
    await replayDigit(page, digit);
    if ((await status.textContent())?.includes(' or ')) break;
  }
  await draw.screenshot({ path: join(out, 'unsure.png') });

  // Inside the network, for the first pen-drawn 4 the model reads, sure, as a 4.
  await page.locator('details.layers summary').click();
  let four = pen[0];
  for (four of pen.filter((d) => d.label === 4)) {
    await replayDigit(page, four);
    if ((await status.textContent())?.includes('Prediction: 4')) break;
  }
  await page.locator('details.layers[data-digit="4"]').waitFor();
  await draw.screenshot({ path: join(out, 'layer-view.png') });

  // Settings that live in the address, with Copy link and Download the run.
  const train = page.getByRole('region', { name: 'Train in your browser' });
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill('12');
  await train.getByLabel('Augmentation').selectOption({ index: 2 });
  await train.screenshot({ path: join(out, 'share.png') });

  // A phone.
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await phone.goto(page.url());
  await phone.getByRole('status').filter({ hasText: 'draw a digit' }).waitFor();
  await replayDigit(phone, four);
  await phone.getByRole('region', { name: 'Draw a digit' }).screenshot({ path: join(out, 'phone.png') });
  console.log(`saved docs/unsure.png, docs/layer-view.png, docs/share.png, docs/phone.png`);
} finally {
  await browser.close();
  await new Promise<void>((r) => server.httpServer.close(() => r()));
}
