/**
 * npm run eval -- --model DIR [--json]
 *
 * Test accuracy of a saved model on the official 10,000 MNIST test images,
 * with per-class accuracy and the confusion matrix.
 */
import { evaluateModel } from '../src/core/model/evaluate';
import { pct } from '../src/core/format';
import { fail, parseCli } from '../src/node/cli';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { loadMnistFromDisk } from '../src/node/nodeData';

const { values } = parseCli('npm run eval -- --model DIR [--json]', { model: { type: 'string' }, json: { type: 'boolean', default: false } });
if (!values.model) fail('--model DIR is required');

const backend = await initNodeBackend('wasm');
const model = await loadModelFromFolder(values.model);
const { test } = await loadMnistFromDisk();
const t0 = performance.now();
const ev = await evaluateModel(model, test);
const seconds = (performance.now() - t0) / 1000;

if (values.json) {
  const { predictions: _p, ...rest } = ev;
  console.log(JSON.stringify({ model: values.model, testAccuracy: ev.accuracy, testLoss: ev.loss, ...rest, seconds, imagesPerSecond: ev.count / seconds, backend }));
} else {
  console.log(`model ${values.model}  backend ${backend}`);
  console.log(`test accuracy ${pct(ev.accuracy)} (${ev.correct}/${ev.count}), loss ${ev.loss.toFixed(4)}, ${seconds.toFixed(1)} s (${(ev.count / seconds).toFixed(0)} img/s)`);
  console.log('\nper class:');
  ev.perClassAccuracy.forEach((a, d) => console.log(`  ${d}: ${pct(a)}`));
  console.log('\nconfusion matrix (rows: true digit, columns: predicted):');
  console.log(`      ${Array.from({ length: 10 }, (_, d) => String(d).padStart(5)).join('')}`);
  ev.confusion.forEach((row, d) => console.log(`  ${d}:  ${row.map((v) => String(v).padStart(5)).join('')}`));
}
