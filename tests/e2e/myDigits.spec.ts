/** My digits: keep, undo, relabel, delete, export and import (both formats, and a bad file), a reload, a stopped fine-tune, and training and fine-tuning taking turns. */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { drawStrokes, ONE, openApp, settledProbabilities, SEVEN, startTraining } from './helpers';

const kept = (page: Page) => page.getByLabel('How the model reads your digits');

async function download(page: Page, button: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFileSync((await file.path())!);
}

test('digits are kept, corrected, exported, imported and survive a reload; a stopped fine-tune changes nothing', async ({ page }) => {
  test.setTimeout(300_000);
  await openApp(page);
  await expect(kept(page)).toContainText('None kept yet');
  const pad = page.getByRole('img', { name: 'Draw a digit' });

  // A correction with a digit key, and Undo.
  await drawStrokes(page, ONE);
  await settledProbabilities(page);
  await pad.press('7');
  await expect(page.getByLabel('Last kept')).toContainText('Kept as a 7 (the model read 1) in My digits.');
  await expect(kept(page)).toContainText('1 kept; Pretrained modified LeNet-5 reads 0 of them right.');
  await expect(page.getByRole('status')).toContainText('draw a digit'); // the pad cleared
  await page.getByLabel('Last kept').getByRole('button', { name: 'Undo' }).click();
  await expect(kept(page)).toContainText('None kept yet');

  // A correction with a button, and a right one kept as an example.
  await drawStrokes(page, ONE);
  await settledProbabilities(page);
  await page.getByRole('button', { name: 'It is a 4' }).click();
  await expect(kept(page)).toContainText('1 kept');
  await drawStrokes(page, SEVEN);
  await settledProbabilities(page);
  await page.getByRole('button', { name: 'Keep as an example' }).click();
  await expect(kept(page)).toContainText('2 kept; Pretrained modified LeNet-5 reads 1 of them right.');
  await expect(page.getByRole('listitem', { name: 'A 4, read as 1' })).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'A 7, read right' })).toBeVisible();

  // Relabel the 4 as the 1 it is; delete the 7.
  await page.getByRole('listitem', { name: 'A 4, read as 1' }).getByRole('combobox', { name: 'Relabel' }).selectOption('1');
  await expect(page.getByRole('listitem', { name: 'A 1, read right' })).toBeVisible();
  const json = await download(page, 'Export (JSON)');
  const zip = await download(page, 'Export (MNIST IDX zip)');
  expect(JSON.parse(json.toString()).digits.map((d: { label: number }) => d.label).sort()).toEqual([1, 7]);
  expect(zip.subarray(0, 2).toString()).toBe('PK');
  await page.getByRole('listitem', { name: 'A 7, read right' }).getByRole('button', { name: 'Delete this digit' }).click();
  await expect(kept(page)).toContainText('1 kept; Pretrained modified LeNet-5 reads 1 of them right.');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete all' }).click();
  await expect(kept(page)).toContainText('None kept yet');

  // Import both exports, and a file that is neither.
  const input = page.getByTestId('digits-input');
  await input.setInputFiles({ name: 'my-digits.json', mimeType: 'application/json', buffer: json });
  await expect(kept(page)).toContainText('2 kept');
  await input.setInputFiles({ name: 'my-digits-idx.zip', mimeType: 'application/zip', buffer: zip });
  await expect(kept(page)).toContainText('4 kept; Pretrained modified LeNet-5 reads 4 of them right.');
  await input.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(page.getByRole('alert')).toContainText('notes.json could not be imported: it is JSON, but not a digits file exported here');
  await expect(kept(page)).toContainText('4 kept');
  await page.reload();
  await expect(kept(page)).toContainText('4 kept; Pretrained modified LeNet-5 reads 4 of them right.');

  // A fine-tune stopped on its way leaves the model as it was, and no tuned model. While it runs, Train waits and says why.
  const fineTune = page.getByRole('button', { name: 'Fine-tune on my digits' });
  const train = page.getByRole('region', { name: 'Train in your browser' }).getByRole('button', { name: 'Train', exact: true });
  await fineTune.click();
  await expect(train).toBeDisabled();
  await expect(train).toHaveAccessibleDescription(/A fine-tune on your digits is running/);
  // Four digits: scored by a 3-fold cross-validation, then the model to keep.
  await expect(page.getByLabel('Fine-tune progress')).toContainText(/fold 1 of 3 of the cross-validation, step \d+ of 800/, { timeout: 120_000 });
  await page.getByLabel('Fine-tune progress').getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('alert')).toContainText('The fine-tune was stopped; the model it started from is unchanged.');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  await expect(page.getByRole('combobox', { name: 'Model' }).getByRole('option', { name: 'Tuned to your handwriting' })).toHaveCount(0);
  await expect(train).toHaveAccessibleDescription('');

  // And the reverse: while training runs, Fine-tune waits and says why; once it is stopped, either may start.
  await startTraining(page, { epochs: 30, test: false });
  await expect(fineTune).toBeDisabled();
  await expect(fineTune).toHaveAccessibleDescription(/Training is running/);
  await expect(page.getByTestId('progress-text')).toContainText('Epoch', { timeout: 120_000 });
  await page.getByRole('region', { name: 'Train in your browser' }).getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('progress-text')).toContainText('Training stopped', { timeout: 60_000 });
  await expect(fineTune).toBeEnabled();
  await expect(train).toBeEnabled();
});
