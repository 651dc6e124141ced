/**
 * npm run predict -- --model DIR FILE...
 *
 * Classifies PNG images up to 25 megapixels (dark ink on light paper or the
 * other way round, detected) through exactly the preprocessing the drawing pad
 * uses.
 * Prints one JSON line per file; unreadable files get an error line and the
 * rest are still classified. Exits 1 when any file failed (or the model
 * cannot be loaded), 2 on bad arguments.
 */
import { preprocessDrawing, topDigit } from '../src/core/drawing/digit';
import { classify } from '../src/core/model/models';
import { fail, parseCli } from '../src/node/cli';
import { loadModelFromFolder } from '../src/node/fsModel';
import { initNodeBackend } from '../src/node/nodeBackend';
import { readPngInk } from '../src/node/png';

const { values, positionals } = parseCli('npm run predict -- --model DIR FILE.png...', { model: { type: 'string' } }, true);
if (!values.model) fail('--model DIR is required');
if (positionals.length === 0) fail('give at least one PNG file');

await initNodeBackend('wasm');
const model = await loadModelFromFolder(values.model);
let failures = 0;
for (const file of positionals) {
  try {
    const pre = preprocessDrawing(await readPngInk(file));
    if (pre.empty) {
      console.log(JSON.stringify({ file, empty: true, digit: null, probabilities: null }));
      continue;
    }
    const p = Array.from(await classify(model, pre.pixels));
    const digit = topDigit(p);
    console.log(JSON.stringify({ file, digit, probabilities: p.map((v) => Number(v.toFixed(6))) }));
  } catch (e) {
    failures++;
    console.log(JSON.stringify({ file, error: `cannot classify: ${e instanceof Error ? e.message : String(e)}` }));
  }
}
if (failures > 0) {
  console.error(`${failures} of ${positionals.length} files failed`);
  process.exitCode = 1;
}
