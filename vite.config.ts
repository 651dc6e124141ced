import compression from 'compression';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Cross-origin isolation gives the page SharedArrayBuffer, which data-parallel
// training's replicas share their gradients through.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The production page's Content-Security-Policy: nothing from other origins,
 * no inline scripts; 'wasm-unsafe-eval' only lets WebAssembly compile (tfjs's
 * wasm backend). Images are only our own files: digits and charts are drawn
 * on canvases, and the weights download (a blob: URL on an <a download>) is a
 * navigation, which no fetch directive governs. The dev server needs inline
 * scripts for hot reload, so only `vite preview` (and any host serving dist/
 * with these headers) enforces it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the built app is served with: `vite preview` sends these, and the build writes them to dist/_headers. */
export const PRODUCTION_HEADERS: Record<string, string> = {
  ...isolation,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** dist/_headers, the headers file Netlify and Cloudflare Pages read, made from the same list. */
const headersFile: Plugin = {
  name: 'headers-file',
  apply: 'build',
  generateBundle() {
    const lines = Object.entries(PRODUCTION_HEADERS).map(([name, value]) => `  ${name}: ${value}\n`);
    this.emitFile({ type: 'asset', fileName: '_headers', source: `/*\n${lines.join('')}` });
  },
};

/** The preview server compresses what it sends (brotli or gzip, as the browser asks), as a production host does. */
const compressPreview: Plugin = {
  name: 'compress-preview',
  configurePreviewServer(server) {
    // Express-style typings for a connect-style middleware: the same (req, res, next) at run time.
    server.middlewares.use(compression() as unknown as Connect.NextHandleFunction);
  },
};

export default defineConfig(({ mode }) => ({
  plugins: [react(), headersFile, compressPreview],
  server: { headers: isolation },
  preview: { headers: PRODUCTION_HEADERS },
  worker: { format: 'es' },
  // The dev server finds the workers' dependencies up front, instead of reloading the page mid-session.
  optimizeDeps: { entries: ['index.html', 'src/worker/*.ts'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // The benchmark page is built only for `npm run bench:browser` (vite build --mode bench).
    rollupOptions: mode === 'bench' ? { input: { main: 'index.html', bench: 'bench.html' } } : undefined,
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
}));
