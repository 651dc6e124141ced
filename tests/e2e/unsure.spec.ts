import { expect, test, type Page } from '@playwright/test';
import { drawStrokes, openApp, predictionText, SEVEN, settledProbabilities, type Stroke } from './helpers';

/** A 1 whose flag is long enough to be the top of a 7: the shipped model hesitates between the two. */
const ONE_OR_SEVEN: Stroke[] = [[{ x: 72, y: 110 }, { x: 160, y: 50 }, { x: 150, y: 140 }, { x: 140, y: 235 }]];
/** A five-pointed star in one stroke: more enclosed holes than any digit has. */
const STAR: Stroke[] = [
  Array.from({ length: 6 }, (_, i) => {
    const a = -Math.PI / 2 + (i * 4 * Math.PI) / 5;
    return { x: 140 + 100 * Math.cos(a), y: 145 + 100 * Math.sin(a) };
  }),
];

/** Draws on a cleared pad and waits for the prediction of the whole drawing. */
async function draw(page: Page, strokes: Stroke[]) {
  await page.getByRole('img', { name: 'Draw a digit' }).press('Escape');
  await drawStrokes(page, strokes);
  expect(await settledProbabilities(page)).toMatch(/^(\d\.\d{6} ){9}\d\.\d{6}$/);
}

test('the prediction says when the model is unsure, and when a drawing is no digit', async ({ page }) => {
  await openApp(page);
  await draw(page, ONE_OR_SEVEN);
  await expect(predictionText(page)).toHaveText('1 or 7? The model is unsure.');
  await draw(page, STAR);
  await expect(predictionText(page)).toHaveText('That does not look like a digit.');
  await draw(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
});
