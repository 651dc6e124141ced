/**
 * Offline use: registers the service worker (src/sw.ts) in the production
 * build only (`npm run dev` never has one: its modules change on every edit),
 * applies updates, and reports whether the browser is online.
 *
 * An update found while a page of the old version is in use waits: that page
 * may still need scripts of its own version, which the new worker's cache no
 * longer holds. One that is ready as a page opens (a reload too) takes over at
 * once, and the page loads again as the new version.
 */

/** The message that lets a waiting service worker take over. */
export const SKIP_WAITING = 'skip-waiting';
const UPDATED = 'mnist-trainer:updated';

export function registerServiceWorker(notify: (text: string) => void): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  let controller = sw.controller;
  let updating = false;
  if (sessionStorage.getItem(UPDATED)) {
    sessionStorage.removeItem(UPDATED);
    notify('A new version of the app was installed and loaded.');
  }
  sw.addEventListener('controllerchange', () => {
    const replaced = controller; // none on the first visit: the worker has only just installed
    controller = sw.controller;
    if (updating) {
      sessionStorage.setItem(UPDATED, '1');
      location.reload();
    } else if (replaced) {
      notify('A new version of the app was installed: reload the page to use it.');
    }
  });
  // After the page has loaded: the worker's first install fetches the whole app again.
  addEventListener('load', async () => {
    try {
      const reg = await sw.register(`${import.meta.env.BASE_URL}sw.js`);
      if (reg.waiting && controller) {
        updating = true;
        reg.waiting.postMessage(SKIP_WAITING);
      }
      const downloading = (next: ServiceWorker | null) =>
        next?.addEventListener('statechange', () => {
          if (next.state === 'installed' && controller) notify('A new version of the app was downloaded: it loads the next time you open or reload the page.');
        });
      downloading(reg.installing); // found by this page's own navigation
      reg.addEventListener('updatefound', () => downloading(reg.installing));
    } catch (e) {
      // Without it the app works as before, only not offline.
      console.warn(`No service worker: ${(e as Error).message}`);
    }
  });
}

/** For useSyncExternalStore: whether the browser is online, and its changes. */
export function subscribeOnline(onChange: () => void): () => void {
  addEventListener('online', onChange);
  addEventListener('offline', onChange);
  return () => {
    removeEventListener('online', onChange);
    removeEventListener('offline', onChange);
  };
}
export const isOnline = (): boolean => navigator.onLine;
