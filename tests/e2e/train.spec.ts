import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { drawStrokes, openApp, predictionText, settledProbabilities, SEVEN } from './helpers';

test('trains a small subset in the worker with live curves, then predicts with the trained model', async ({ page }) => {
  await openApp(page);
  const train = page.getByRole('region', { name: 'Train in your browser' });
  await train.getByLabel('Architecture').selectOption('modified');
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await train.getByLabel('Training set').selectOption({ label: '500 images (a few seconds)' });
  await train.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('backend')).toContainText(/Backend: (wasm|webgl)/);
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch \d of 2 · batch \d+ of 7/);
  await expect(page.getByTestId('progress-text')).toContainText('Training finished: 2 epochs', { timeout: 150_000 });
  const charts = page.getByTestId('charts');
  await expect(charts).toHaveAttribute('data-points', '14');
  await expect(charts).toHaveAttribute('data-epochs', '2');
  await expect(page.getByTestId('test-accuracy')).toContainText(/Your trained model, epoch 2: \d+\.\d\d% correct/);
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('trained');
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText(/Prediction: \d/);
});

test('downloads the weights and loads them back with the same predictions; a corrupt file changes nothing', async ({ page }, info) => {
  await openApp(page);
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  const bars = page.getByRole('list', { name: 'Probability of each digit' });
  const before = await settledProbabilities(page);
  expect(before).toMatch(/^(\d\.\d{6} ){9}\d\.\d{6}$/);

  const downloads: string[] = [];
  page.on('download', async (d) => {
    const path = info.outputPath(d.suggestedFilename());
    await d.saveAs(path);
    downloads.push(path);
  });
  await page.getByRole('button', { name: 'Download weights' }).click();
  await expect.poll(() => downloads.length).toBe(2);
  const json = downloads.find((f) => f.endsWith('.json'))!;
  const bin = downloads.find((f) => f.endsWith('.bin'))!;
  expect(JSON.parse(readFileSync(json, 'utf8')).modelTopology).toBeTruthy();

  // A corrupt model.json: a clear message, and the old model still predicts.
  const input = page.getByTestId('weights-input');
  await input.setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from('{ not json') },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: readFileSync(bin) },
  ]);
  await expect(page.getByRole('alert')).toContainText('Those weights could not be loaded');
  await expect(page.getByRole('alert')).toContainText('The model you had is still in use');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  await expect(predictionText(page)).toContainText('Prediction: 7');

  // The real files: loaded as a new model, the same predictions for the same drawing (a redrawn
  // one may differ in its last decimals: pointer events are sampled as they come).
  await input.setInputFiles([json, bin]);
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('loaded');
  await expect(bars).toHaveAttribute('data-probabilities', before!);
});
