/**
 * The service worker that keeps the app working offline, built by
 * vite-plugin-pwa (Workbox) into dist/sw.js and registered by
 * src/browser/offline.ts in the production build only. It serves the page,
 * its scripts, the wasm binaries and the shipped models from a cache filled at
 * install (the build lists them), and the MNIST files from a cache filled the
 * first time the training worker fetches them. Every response it serves
 * carries the production headers, so the page and its workers stay
 * cross-origin isolated and under the CSP when they come from the cache.
 */
import { clientsClaim } from 'workbox-core';
import type { WorkboxPlugin } from 'workbox-core/types';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import { withProductionHeaders } from './productionHeaders';
import { SKIP_WAITING } from './browser/offline';

declare const self: {
  __WB_MANIFEST: (string | PrecacheEntry)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
};

const productionHeaders: WorkboxPlugin = { handlerWillRespond: async ({ response }) => withProductionHeaders(response) };

addPlugins([productionHeaders]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Any address of the app opens the page (a shared run's link too); one that names a file (robots.txt) is left to the server.
registerRoute(new NavigationRoute(createHandlerBoundToURL(`${import.meta.env.BASE_URL}index.html`), { denylist: [/\/[^/?]+\.[^/]+$/] }));
// The MNIST files never change; 11 MB, so fetched only by those who train or evaluate. A copy
// that turned out bad (a captive portal's page, say) is replaced: the retry asks past the caches.
const mnist = { cacheName: 'mnist-data', plugins: [productionHeaders] };
const [cached, fresh] = [new CacheFirst(mnist), new NetworkFirst(mnist)];
registerRoute(
  ({ url }) => url.pathname.startsWith(`${import.meta.env.BASE_URL}data/mnist/`),
  (options) => (options.request.cache === 'reload' ? fresh : cached).handle(options),
);

// A new version waits until a page that has just opened asks for it (offline.ts):
// an open page of the old version may still load its scripts from the old cache.
self.addEventListener('message', (e) => {
  if (e.data === SKIP_WAITING) void self.skipWaiting();
});
// The first visit's page, and the workers it starts, come under the worker at once, so the data it fetches is cached.
clientsClaim();
