import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Cross-origin isolation gives the page SharedArrayBuffer (for data-parallel
// training and wasm threads).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The production page's Content-Security-Policy: nothing from other origins,
 * no inline scripts; 'wasm-unsafe-eval' only lets WebAssembly compile (tfjs's
 * wasm backend). Blob URLs are for the weights download. The dev server
 * needs inline scripts for hot reload, so only `vite preview` (and any host
 * serving dist/ with these headers) enforces it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export default defineConfig(({ mode }) => ({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: { ...isolation, 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  worker: { format: 'es' },
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
