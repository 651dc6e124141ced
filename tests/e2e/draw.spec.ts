import { expect, test } from '@playwright/test';
import { drawStrokes, ONE, openApp, predictionText, SEVEN } from './helpers';

test('drawing a digit shows a live prediction; Undo and Clear work, also from the keyboard', async ({ page }) => {
  await openApp(page);
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(predictionText(page)).toContainText('empty');
  await drawStrokes(page, ONE);
  await expect(predictionText(page)).toContainText('Prediction: 1');
  const pad = page.getByRole('img', { name: 'Draw a digit' });
  await pad.focus();
  await page.keyboard.press('Escape');
  await expect(predictionText(page)).toContainText('empty');
  await drawStrokes(page, SEVEN);
  await page.keyboard.press('Control+z');
  await expect(predictionText(page)).toContainText('empty');
});

test('a person who only draws downloads neither the training code nor the MNIST data', async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await openApp(page);
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  expect(requested.filter((p) => /trainingWorker|data\/mnist/.test(p))).toEqual([]);
  await page.getByRole('button', { name: 'Evaluate the selected model' }).click();
  await expect(page.getByTestId('test-accuracy')).toContainText('% correct');
  expect(requested.some((p) => p.includes('trainingWorker'))).toBe(true);
  expect(requested.filter((p) => p.includes('data/mnist'))).toHaveLength(4);
});
