/**
 * The headers the built app is served with, one list for every place that
 * serves it: `vite preview`, dist/_headers (static hosts) and the service
 * worker's cached responses (src/sw.ts).
 */

// Cross-origin isolation gives the page SharedArrayBuffer, which data-parallel
// training's replicas share their gradients through.
export const ISOLATION_HEADERS = {
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

export const PRODUCTION_HEADERS: Record<string, string> = {
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * A copy of `response` that carries the production headers: a response the
 * service worker serves from its cache must keep the page and its workers
 * cross-origin isolated and under the CSP, whatever the cache stored.
 */
export function withProductionHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(PRODUCTION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
