import { expect, type Page } from '@playwright/test';

export type Stroke = { x: number; y: number }[];

/** Draws strokes with the mouse; points are in pad coordinates (0..280). */
export async function drawStrokes(page: Page, strokes: Stroke[], stepsBetween = 2): Promise<void> {
  const pad = page.getByRole('img', { name: 'Draw a digit' });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const sx = box.width / 280;
  const sy = box.height / 280;
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0].x * sx, box.y + stroke[0].y * sy);
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(box.x + p.x * sx, box.y + p.y * sy, { steps: stepsBetween });
    await page.mouse.up();
  }
}

/** Fills the training form (the modified model on 500 images unless told otherwise) and presses Train. */
export async function startTraining(page: Page, opts: { epochs: number; model?: string; lr?: string; backend?: string; test?: boolean; images?: string }) {
  const train = page.getByRole('region', { name: 'Train in your browser' });
  await train.getByLabel('Architecture').selectOption(opts.model ?? 'modified');
  await train.getByRole('spinbutton', { name: 'Epochs' }).fill(String(opts.epochs));
  await train.getByLabel('Training set').selectOption({ label: opts.images ?? '500 images (a few seconds)' });
  if (opts.lr) await train.getByRole('textbox', { name: 'Learning rate' }).fill(opts.lr);
  if (opts.backend) await train.getByLabel('Backend').selectOption(opts.backend);
  if (opts.test === false) await train.getByLabel('Test on the 10,000 test images after every epoch').uncheck();
  await train.getByRole('button', { name: 'Train', exact: true }).click();
}

export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('pretrained-modified');
  await expect(page.getByRole('status')).toContainText('draw a digit');
}

export function predictionText(page: Page) {
  return page.getByRole('status');
}

/** The probabilities shown once the prediction is of the whole drawing, not of a frame mid-stroke (the pad counts its edits). */
export async function settledProbabilities(page: Page): Promise<string | null> {
  await page.waitForFunction(() => {
    const pad = document.querySelector('canvas.pad') as HTMLCanvasElement | null;
    const bars = document.querySelector('ol.bars') as HTMLElement | null;
    return !!pad && !!bars && pad.dataset.changes === bars.dataset.changes;
  });
  return page.getByRole('list', { name: 'Probability of each digit' }).getAttribute('data-probabilities');
}

/** A clean "1": one vertical stroke. */
export const ONE: Stroke[] = [[{ x: 140, y: 50 }, { x: 138, y: 140 }, { x: 136, y: 230 }]];
/** A "7": top bar and a diagonal. */
export const SEVEN: Stroke[] = [[{ x: 80, y: 60 }, { x: 200, y: 60 }, { x: 150, y: 150 }, { x: 110, y: 235 }]];
