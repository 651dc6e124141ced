/** The app as `npm run dev` serves it (React's StrictMode, unbundled modules, hot reload). */
import { expect, test } from '@playwright/test';
import { drawStrokes, predictionText, SEVEN, startTraining } from './helpers';

test('in development too, a drawing is predicted and a one-epoch training moves the curves', async ({ page }) => {
  await page.goto('/');
  // The first visit waits for Vite to prepare tfjs's modules.
  await expect(predictionText(page)).toContainText('draw a digit', { timeout: 120_000 });
  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  await startTraining(page, { epochs: 1, model: 'original', test: false });
  await expect(page.getByTestId('progress-text')).toContainText('Training finished: 1 epochs', { timeout: 150_000 });
  await expect(page.getByTestId('charts')).toHaveAttribute('data-points', '7');
  // Only the production build registers the service worker (src/browser/offline.ts).
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
});
