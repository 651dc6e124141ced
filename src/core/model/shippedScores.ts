/**
 * What the shipped models read, for the model picker: the official MNIST test
 * set (`npm run eval`) and the 7,494 pen-drawn digits through the pad's
 * rasteriser (`npm run eval:drawn -- --offline`). tests/node/shippedModels.test.ts
 * measures both on the weights, so a new model cannot ship with old figures.
 */
export const SHIPPED_SCORES = {
  'pretrained-modified': { mnist: 0.9966, penDigits: 0.9821 },
  'pretrained-original': { mnist: 0.9944, penDigits: 0.9661 },
} as const;

/** "MNIST 99.66%, pen digits 98.21%" */
export function scoreLine(slot: keyof typeof SHIPPED_SCORES): string {
  const s = SHIPPED_SCORES[slot];
  return `MNIST ${(s.mnist * 100).toFixed(2)}%, pen digits ${(s.penDigits * 100).toFixed(2)}%`;
}
