/**
 * Sharing a run: the training settings live in the address, the run's log
 * downloads in the format npm run train writes, and the page fits a 360 px phone.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { checkTrainingLog } from '../../src/core/train/log';
import { drawStrokes, openApp, SEVEN } from './helpers';

const form = (page: Page) => page.getByRole('region', { name: 'Train in your browser' });
const DEFAULT_QUERY = '?model=modified&epochs=3&batch=64&lr=0.001&schedule=plateau&augment=reference&limit=2000&seed=1&backend=auto&test=on';

test('the settings live in the address: a change writes it, the link fills the form, bad values fall back, Reset and Copy link', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page);
  const train = form(page);
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill('7');
  await train.getByRole('textbox', { name: 'Learning rate' }).fill('0.0005');
  await train.getByLabel('Schedule').selectOption('cosine');
  await train.getByLabel('Augmentation').selectOption({ label: 'Off' });
  await train.getByRole('spinbutton', { name: 'Seed' }).fill('42');
  await expect(page).toHaveURL(/\?model=modified&epochs=7&batch=64&lr=0.0005&schedule=cosine&augment=off&limit=2000&seed=42&backend=auto&test=on$/);

  // The link in a new tab: the same settings, no message.
  const other = await context.newPage();
  await other.goto(page.url());
  const shared = form(other);
  await expect(shared.getByRole('spinbutton', { name: 'Epochs' })).toHaveValue('7');
  await expect(shared.getByRole('textbox', { name: 'Learning rate' })).toHaveValue('0.0005');
  await expect(shared.getByLabel('Schedule')).toHaveValue('cosine');
  await expect(shared.getByLabel('Augmentation')).toHaveValue('off');
  await expect(shared.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('42');
  await expect(other.getByRole('alert')).toHaveCount(0);

  // Bad and unknown values: a message each, the default, and the address says what the form does.
  await other.goto('/?epochs=abc&schedule=nope&seed=3&colour=blue');
  await expect(other.getByRole('alert').filter({ hasText: 'epochs="abc" was ignored' })).toContainText('using 3');
  await expect(other.getByRole('alert').filter({ hasText: 'schedule="nope" was ignored' })).toContainText('using plateau');
  await expect(other.getByRole('alert').filter({ hasText: 'setting "colour" is unknown' })).toBeVisible();
  await expect(shared.getByRole('spinbutton', { name: 'Epochs' })).toHaveValue('3');
  await expect(shared.getByLabel('Schedule')).toHaveValue('plateau');
  await expect(shared.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('3');
  await expect(other).toHaveURL(/epochs=3&.*schedule=plateau&.*seed=3&/);

  // Reset to defaults.
  await shared.getByRole('button', { name: 'Reset to defaults' }).click();
  await expect(shared.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('1');
  await expect(other).toHaveURL(new RegExp(`${DEFAULT_QUERY.replace('?', '\\?')}$`));

  // Copy link puts the address on the clipboard and says so.
  await train.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByTestId('link-note')).toHaveText('Link copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  // Without a clipboard (an insecure origin has none) it says where the link is.
  await other.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
  await other.reload();
  await form(other).getByRole('button', { name: 'Copy link' }).click();
  await expect(other.getByTestId('link-note')).toHaveText('The clipboard is not available here: copy the link from the address bar.');
});

test('"Download the run" saves the training log in the format npm run train writes', async ({ page }, info) => {
  await page.goto('/?model=modified&epochs=1&limit=500&test=off&seed=9');
  const train = form(page);
  await expect(train.getByRole('button', { name: 'Download the run' })).toBeDisabled();
  await train.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('progress-text')).toContainText('Training finished: 1 epochs', { timeout: 150_000 });
  const download = page.waitForEvent('download');
  await train.getByRole('button', { name: 'Download the run' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('training-log.json');
  const path = info.outputPath('training-log.json');
  await file.saveAs(path);
  const log = JSON.parse(readFileSync(path, 'utf8'));
  expect(checkTrainingLog(log)).toEqual([]);
  expect(log).toMatchObject({ model: 'modified', seed: 9, trainLimit: 500, trainImages: 500, stopReason: 'completed', epochsDone: 1, testAccuracy: null, command: page.url() });
  expect(log.config).toMatchObject({ epochs: 1, batchSize: 64, learningRate: 0.001, schedule: { kind: 'plateau' }, augment: { rotation: 10 } });
  expect(log.backend).toMatch(/^(wasm|webgl) \(\d replicas?/);
});

test('at 360 px wide no control or picture overflows its panel', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await openApp(page);
  await page.locator('details.layers summary').click();
  await drawStrokes(page, SEVEN);
  await expect(page.locator('details.layers')).toHaveAttribute('data-digit', '7');
  const outside = await page.evaluate(() => {
    const found: string[] = [];
    for (const panel of document.querySelectorAll('.panel')) {
      const p = panel.getBoundingClientRect();
      for (const control of panel.querySelectorAll('button, select, input, textarea, progress, canvas')) {
        const r = control.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not shown (a hidden file input)
        const name = control.getAttribute('aria-label') ?? control.closest('label')?.firstChild?.textContent ?? control.textContent;
        if (r.left < p.left || r.right > p.right || r.top < p.top || r.bottom > p.bottom) found.push(`${control.tagName} "${name}": ${r.left}..${r.right} in ${p.left}..${p.right}`);
      }
    }
    if (document.documentElement.scrollWidth > innerWidth) found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    return found;
  });
  expect(outside).toEqual([]);
});
