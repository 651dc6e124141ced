import { writeFileSync } from 'node:fs';
import { preprocessDrawing } from '../src/core/digit';
import { toPad } from '../src/core/pendigits';
import { rasterStrokes } from '../src/core/strokeRaster';
import { loadPenDigits } from '../src/node/drawnReplay';
import { BRUSH } from '../src/ui/DrawingPad';
const digits = loadPenDigits();
const x = new Uint8Array(digits.length * 784);
const y = new Uint8Array(digits.length);
const w = new Uint8Array(digits.length);
digits.forEach((d, i) => {
  const p = preprocessDrawing(rasterStrokes(d.strokes.map((s) => s.map((q) => toPad(q, 280))), 280, BRUSH)).pixels;
  for (let k = 0; k < 784; k++) x[i * 784 + k] = Math.round(p[k] * 255);
  y[i] = d.label; w[i] = d.writer;
});
writeFileSync('.research/pen_x.bin', x); writeFileSync('.research/pen_y.bin', y); writeFileSync('.research/pen_w.bin', w);
console.log('exported', digits.length, 'brush', BRUSH);
