/**
 * Offline use (src/sw.ts, src/browser/offline.ts): after one visit online the
 * app loads, predicts and trains without a network, still cross-origin
 * isolated; the page says when it is offline; an update is picked up on the
 * next visit and the person is told.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot } from '../../src/node/paths';
import { PRODUCTION_HEADERS } from '../../src/productionHeaders';
import { drawStrokes, openApp, predictionText, SEVEN, startTraining } from './helpers';

/** Opens the app and waits until its service worker has cached it and controls the page. */
async function openControlled(page: Page): Promise<void> {
  await openApp(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

const progress = (page: Page) => page.getByTestId('progress-text');
const offlineBadge = (page: Page) => page.getByText('Offline', { exact: true });

test('after one visit online the app loads, predicts and trains offline, cross-origin isolated', async ({ page, context }) => {
  await openControlled(page);
  await startTraining(page, { epochs: 1, model: 'original', test: false }); // fetches the MNIST files, which the worker caches
  await expect(progress(page)).toContainText('Training finished: 1 epochs', { timeout: 150_000 });

  // The worker adds the production headers whatever its cache holds: strip them from every copy.
  await page.evaluate(async () => {
    for (const cache of await Promise.all((await caches.keys()).map((name) => caches.open(name)))) {
      for (const key of await cache.keys()) {
        const copy = (await cache.match(key))!;
        await cache.put(key, new Response(await copy.blob(), { headers: { 'Content-Type': copy.headers.get('Content-Type')! } }));
      }
    }
  });
  await context.setOffline(true);
  const response = (await page.reload())!;
  expect(response.fromServiceWorker()).toBe(true);
  expect(response.headers()).toMatchObject(Object.fromEntries(Object.entries(PRODUCTION_HEADERS).map(([name, value]) => [name.toLowerCase(), value])));
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  await expect(offlineBadge(page)).toBeVisible();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');

  await startTraining(page, { epochs: 1, model: 'original', test: false });
  await page.getByRole('group', { name: 'Replace the model saved in this browser?' }).getByRole('button', { name: 'Replace and start' }).click();
  await expect(progress(page)).toContainText('Training finished: 1 epochs', { timeout: 150_000 });
  // Its worker is isolated too, so data-parallel training has SharedArrayBuffer.
  const worker = page.workers().find((w) => w.url().includes('trainingWorker'))!;
  expect(await worker.evaluate(() => crossOriginIsolated)).toBe(true);
});

test('the page shows while it is offline', async ({ page, context }) => {
  await openApp(page);
  await expect(offlineBadge(page)).toHaveCount(0);
  await context.setOffline(true);
  await expect(offlineBadge(page)).toBeVisible();
  await context.setOffline(false);
  await expect(offlineBadge(page)).toHaveCount(0);
});

// Only up to the notice: on the reload the browser may activate the waiting worker before the new
// page looks for it, and the page then starts under the new version without its second notice.
test('an update found while the page is open is downloaded, and the person is told it loads next time', async ({ page }) => {
  await openControlled(page);
  // A new version deployed: a service worker script that differs by a byte.
  const swFile = join(repoRoot, 'dist/sw.js');
  const deployed = readFileSync(swFile);
  try {
    writeFileSync(swFile, Buffer.concat([deployed, Buffer.from('\n// the next version\n')]));
    // What the browser also does on its own, on navigations and now and then.
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await expect(page.getByRole('note').filter({ hasText: 'A new version of the app was downloaded' })).toBeVisible();
    await drawStrokes(page, SEVEN); // the open page goes on with its own version
    await expect(predictionText(page)).toContainText('Prediction: 7');
  } finally {
    writeFileSync(swFile, deployed);
  }
});
