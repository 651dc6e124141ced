import * as tf from '@tensorflow/tfjs';
import { preprocessDrawing } from '../src/core/digit';
import { toPad } from '../src/core/pendigits';
import { rasterStrokes } from '../src/core/strokeRaster';
import { loadPenDigits } from '../src/node/drawnReplay';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
await initNodeBackend('wasm');
const model = await loadModelFromFolder(process.argv[2]);
const digits = loadPenDigits();
const width = Number(process.argv[3] ?? 20);
const N = Number(process.argv[4] ?? digits.length);
const sel = digits.filter((_, i) => i % Math.max(1, Math.round(digits.length / N)) === 0);
const t0 = performance.now();
let ok = 0; const perClass = new Array(10).fill(0), perClassN = new Array(10).fill(0);
for (let i = 0; i < sel.length; i += 256) {
  const chunk = sel.slice(i, i + 256);
  const x = new Float32Array(chunk.length * 784);
  chunk.forEach((d, j) => x.set(preprocessDrawing(rasterStrokes(d.strokes.map((s) => s.map((p) => toPad(p, 280))), 280, width)).pixels, j * 784));
  const preds = tf.tidy(() => (model.predict(tf.tensor4d(x, [chunk.length, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync());
  chunk.forEach((d, j) => { perClassN[d.label]++; if (preds[j] === d.label) { ok++; perClass[d.label]++; } });
}
console.log(`width ${width}: ${(ok / sel.length * 100).toFixed(2)}% of ${sel.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s; per class ${perClass.map((c, i) => `${i}:${(c / perClassN[i] * 100).toFixed(1)}`).join(' ')}`);
// confusion + montage of failures
import { encode } from 'fast-png';
import { writeFileSync } from 'node:fs';
const conf = Array.from({ length: 10 }, () => new Array(10).fill(0));
const fails: Float32Array[] = []; const failLab: string[] = [];
for (let i = 0; i < sel.length; i += 256) {
  const chunk = sel.slice(i, i + 256);
  const x = new Float32Array(chunk.length * 784);
  chunk.forEach((d, j) => x.set(preprocessDrawing(rasterStrokes(d.strokes.map((s) => s.map((p) => toPad(p, 280))), 280, width)).pixels, j * 784));
  const preds = tf.tidy(() => (model.predict(tf.tensor4d(x, [chunk.length, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync());
  chunk.forEach((d, j) => { conf[d.label][preds[j]]++; if (preds[j] !== d.label && fails.length < 64) { fails.push(x.slice(j * 784, (j + 1) * 784)); failLab.push(`${d.label}->${preds[j]}`); } });
}
conf.forEach((r, i) => console.log(i, r.join(' ')));
console.log(failLab.join(' '));
const W = 8 * 30, img = new Uint8Array(W * W).fill(128);
fails.forEach((f, k) => { const ox = (k % 8) * 30, oy = Math.floor(k / 8) * 30; for (let p = 0; p < 784; p++) img[(oy + Math.floor(p / 28)) * W + ox + (p % 28)] = 255 - f[p] * 255; });
writeFileSync('/tmp/fails.png', encode({ width: W, height: W, data: img, channels: 1, depth: 8 }));
