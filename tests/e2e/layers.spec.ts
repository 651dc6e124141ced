/** The layer view: feature maps, filters and saliency for the drawing, live while a model trains. */
import { expect, test, type Page } from '@playwright/test';
import { drawStrokes, openApp, predictionText, SEVEN, startTraining } from './helpers';

/** A digest of what a canvas shows, to tell two renderings apart. */
const pixelsOf = (page: Page, testId: string) =>
  page.getByTestId(testId).locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) | 0;
    let red = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > d[i + 1] + 60) red++;
    return { hash: h, red };
  });

test('shows every convolution block, the filters and a saliency map for the drawing', async ({ page }) => {
  await openApp(page);
  const view = page.locator('details.layers');
  await view.getByText('Inside the network').click();
  await expect(view.getByTestId('filters')).toContainText("The first layer's 32 filters (5×5)");
  await expect(view).toContainText('Draw a digit to see what each layer makes of it.');

  await drawStrokes(page, SEVEN);
  await expect(predictionText(page)).toContainText('Prediction: 7');
  await expect(view).toHaveAttribute('data-digit', '7');
  await expect(view.getByTestId('saliency')).toContainText('What made it a 7');
  await expect(view.getByTestId('maps-conv1')).toContainText('conv1: 32 feature maps, 28×28');
  await expect(view.getByTestId('maps-conv2')).toContainText('conv2 (after relu2): 32 feature maps, 24×24');
  await expect(view.getByTestId('maps-conv3')).toContainText('conv3: 64 feature maps, 10×10');
  await expect(view.getByTestId('maps-conv4')).toContainText('conv4 (after relu4): 64 feature maps, 8×8');
  expect((await pixelsOf(page, 'saliency')).red).toBeGreaterThan(0); // ink that pushed towards the 7

  // Another architecture has other blocks.
  await page.getByRole('combobox', { name: 'Model' }).selectOption('pretrained-original');
  await expect(view.getByTestId('filters')).toContainText("The first layer's 6 filters (5×5)");
  await expect(view.getByTestId('maps-conv2')).toContainText('conv2: 16 feature maps, 10×10');
  await expect(view.getByTestId('maps-conv3')).toHaveCount(0);
});

test('the filters change as the model trains', async ({ page }) => {
  await openApp(page);
  const view = page.locator('details.layers');
  await view.getByText('Inside the network').click();
  await startTraining(page, { epochs: 3, test: false });
  // The model in training can be picked once its first (initial) weights have arrived.
  const model = page.getByRole('combobox', { name: 'Model' });
  await expect(model.locator('option[value="trained"]')).toHaveCount(1);
  await model.selectOption('trained');
  await expect(view).not.toHaveAttribute('data-weights-version', '');
  const first = { version: Number(await view.getAttribute('data-weights-version')), ...(await pixelsOf(page, 'filters')) };

  // Paused after an epoch: weights newer than the first have come, and the filters drawn from them differ.
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch [23] of 3/);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('progress-text')).toContainText('paused');
  await expect.poll(async () => Number(await view.getAttribute('data-weights-version'))).toBeGreaterThan(first.version);
  await expect.poll(async () => (await pixelsOf(page, 'filters')).hash).not.toBe(first.hash);
  await page.getByRole('button', { name: 'Stop' }).click();
});
