/** Each shipped model carries an unsure rule chosen for its own weights; new weights drop the old rule. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/core/model/models';
import { parseUnsureRule, UNSURE_FILE } from '../../src/core/model/unsure';
import { saveModelToFolder, weightsDigest } from '../../src/node/fsModel';
import { shippedModelsDir } from '../../src/node/paths';
import { useBackend } from '../helpers/backend';

beforeAll(() => useBackend('wasm'));
const scratch = mkdtempSync(join(tmpdir(), 'unsure-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('unsure rules', () => {
  for (const dir of ['lenet5-modified', 'lenet5-original']) {
    it(`${dir} has a rule made for its weights (else: npm run eval:unsure -- --write)`, async () => {
      const folder = join(shippedModelsDir, dir);
      const json = JSON.parse(readFileSync(join(folder, UNSURE_FILE), 'utf8'));
      const rule = parseUnsureRule(json);
      expect(rule.minMargin).toBeGreaterThan(0);
      expect(rule.minMargin).toBeLessThan(1);
      expect(json.weightsSha256).toBe(await weightsDigest(folder));
    });
  }

  it('goes when a model is saved over the weights it was chosen for', async () => {
    const dir = join(scratch, 'm');
    await saveModelToFolder(createModel('original', { seed: 1 }), dir, {});
    writeFileSync(join(dir, UNSURE_FILE), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    await saveModelToFolder(createModel('original', { seed: 2 }), dir, {});
    expect(existsSync(join(dir, UNSURE_FILE))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });
});
