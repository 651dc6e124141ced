/**
 * The backend chosen by measurement, for real: here WebGL is SwiftShader, a
 * software renderer, so only wasm is timed and WebGL counted as not timed;
 * the result is remembered.
 */
import { expect, test, type Page } from '@playwright/test';
import { TRIAL_BUDGET } from '../../src/core/train/backendTrial';
import { openApp } from './helpers';

/** `replacing`: a model saved in this browser is replaced, after the page asks. */
async function train(page: Page, backend = 'auto', replacing = false) {
  const form = page.getByRole('region', { name: 'Train in your browser' });
  await form.getByRole('spinbutton', { name: 'Epochs' }).fill('1');
  await form.getByLabel('Training set').selectOption('500');
  await form.getByLabel('Backend').selectOption(backend);
  await form.getByLabel('Test on the 10,000 test images after every epoch').uncheck();
  await form.getByRole('button', { name: 'Train' }).click();
  if (replacing) await page.getByRole('group', { name: 'Replace the model saved in this browser?' }).getByRole('button', { name: 'Replace and start' }).click();
}

const trials = (page: Page) => page.getByTestId('trials');
const backendLine = (page: Page) => page.getByTestId('backend');
const finished = (page: Page) => expect(page.getByTestId('progress-text')).toContainText('Training finished: 1 epochs', { timeout: 120_000 });
const MEASURED = /Measured: wasm \d+ img\/s( on \d workers)? after \d+\.\d s warm-up, webgl not timed: software renderer: wasm/;

test('"Fastest available" times wasm, counts software WebGL as not timed, trains on wasm, and remembers it', async ({ page }) => {
  await openApp(page);
  await train(page);
  await expect(trials(page)).toContainText(new RegExp(`Timing wasm… \\d s of ${TRIAL_BUDGET.warmupSeconds}`));
  await expect(trials(page)).toContainText(MEASURED, { timeout: 4 * TRIAL_BUDGET.warmupSeconds * 1000 });
  await expect(backendLine(page)).toContainText(/Backend: wasm.* — fastest measured here: wasm \d+ img\/s/);
  await finished(page);

  await page.reload();
  // The replace question needs the saved model known first.
  await expect(page.getByRole('note').filter({ hasText: 'Restored your modified model from this browser' })).toBeVisible();
  await train(page, 'auto', true);
  await expect(backendLine(page)).toContainText(/Backend: wasm.* — fastest when measured earlier on this device: wasm \d+ img\/s.*webgl not timed/);
  await expect(trials(page)).not.toContainText('Measured');
  await finished(page);
});

test('a backend the person picks is used without timing', async ({ page }) => {
  await openApp(page);
  await train(page, 'wasm');
  await expect(backendLine(page)).toContainText(/Backend: wasm.* — chosen by you/);
  await finished(page);
  await expect(trials(page)).not.toContainText('Measured');
});

test('the backends can be measured again on request, and the timing cancelled', async ({ page }) => {
  await openApp(page);
  const again = page.getByRole('button', { name: 'Measure backends again' });
  await again.click();
  await expect(trials(page)).toContainText('Timing wasm…');
  await expect(page.getByRole('button', { name: 'Train' })).toBeDisabled();
  await page.getByRole('button', { name: 'Cancel timing' }).click();
  await expect(trials(page)).toContainText('Timing cancelled: wasm by rule.');
  await again.click();
  await expect(trials(page)).toContainText(MEASURED, { timeout: 4 * TRIAL_BUDGET.warmupSeconds * 1000 });
  await train(page);
  await expect(backendLine(page)).toContainText(/Backend: wasm.* — fastest when measured earlier on this device/);
  await finished(page);
});
