/** bench.html: runs one benchmark in a fresh worker per call (window.runBench, driven by Playwright). */
import type { BenchRequest } from './benchWorker';

declare global {
  interface Window {
    runBench(req: BenchRequest): Promise<{ ok: boolean; imagesPerSecond?: number; msPerStep?: number; error?: string }>;
  }
}

window.runBench = (req) =>
  new Promise((resolve) => {
    const w = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e) => {
      resolve(e.data);
      w.terminate();
    };
    w.onerror = (e) => resolve({ ok: false, error: e.message });
    w.postMessage(req);
  });
document.body.dataset.ready = 'true';
