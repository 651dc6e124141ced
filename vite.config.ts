import compression from 'compression';
import type { Connect, Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { ISOLATION_HEADERS, PRODUCTION_HEADERS } from './src/productionHeaders';

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

/**
 * The service worker (src/sw.ts) and the web app manifest, for the production
 * build only: the dev server registers no worker. Its cache holds everything
 * the page loads but the MNIST files, which it caches when first fetched.
 */
const offline = VitePWA({
  strategies: 'injectManifest',
  srcDir: 'src',
  filename: 'sw.ts',
  injectRegister: false,
  injectManifest: {
    // The plugin adds the manifest and its icons itself.
    globPatterns: ['**/*.{html,js,css,wasm,svg}', 'models/**/*'],
    globIgnores: ['bench.html', 'data/**'],
    // The tfjs chunks are over Workbox's 2 MiB default.
    maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
  },
  manifest: {
    name: 'MNIST trainer',
    short_name: 'MNIST trainer',
    description: 'Draw a digit and watch LeNet-5 read it; train it in your browser.',
    theme_color: '#2563eb',
    background_color: '#f6f7f9',
    display: 'standalone',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
});

export default defineConfig(({ mode }) => ({
  plugins: [react(), headersFile, compressPreview, offline],
  server: { headers: ISOLATION_HEADERS },
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
