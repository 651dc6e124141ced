/**
 * Runs a function of tests/helpers/fuzzTargets.ts in a worker thread with a
 * heap limit, and gives each call a time limit while watching the process's
 * memory (typed arrays are not on the worker's heap): a case that hangs or
 * allocates without bound fails its test instead of taking vitest down.
 */
import { Worker } from 'node:worker_threads';

export type Outcome = { ok: unknown; error?: undefined } | { error: string };

export function startSandbox(target: string, msPerCall = 2000) {
  const tsx = import.meta.resolve('tsx/esm/api');
  const targets = new URL('./fuzzTargets.ts', import.meta.url).href;
  const src = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(targets)}); }).then((targets) => {
    const { parentPort } = require('node:worker_threads');
    const run = targets[${JSON.stringify(target)}];
    parentPort.on('message', async (input) => {
      try { parentPort.postMessage({ ok: await run(input) }); }
      catch (e) { parentPort.postMessage({ error: e instanceof Error ? e.message : 'not an Error: ' + String(e) }); }
    });
    parentPort.postMessage('ready');
  });`;
  const worker = new Worker(src, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 } });
  const rssLimit = process.memoryUsage.rss() + 1024 * 2 ** 20;
  const reply = (ms: number) =>
    new Promise<Outcome>((resolve, reject) => {
      const settle = (f: () => void) => {
        clearInterval(watch);
        worker.off('message', onMessage).off('error', onError);
        f();
      };
      const onMessage = (m: Outcome) => settle(() => resolve(m));
      const onError = (e: Error) => settle(() => reject(e));
      const watch = setInterval(() => {
        if (process.memoryUsage.rss() > rssLimit) settle(() => reject(new Error(`${target} used more than 1 GB`)));
        else if ((ms -= 20) < 0) settle(() => reject(new Error(`${target} hung`)));
      }, 20);
      worker.on('message', onMessage).on('error', onError);
    });
  const ready = reply(30_000);
  return {
    call: async (input: unknown): Promise<Outcome> => {
      await ready;
      const answer = reply(msPerCall);
      worker.postMessage(input);
      return answer;
    },
    stop: () => worker.terminate(),
  };
}
