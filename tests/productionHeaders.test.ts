import { describe, expect, it } from 'vitest';
import { PRODUCTION_HEADERS, withProductionHeaders } from '../src/productionHeaders';

describe('withProductionHeaders', () => {
  it('adds every production header, keeping the status, the body and the other headers', async () => {
    const cached = new Response('<!doctype html>', { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html', 'Cross-Origin-Embedder-Policy': 'unsafe-none' } });
    const served = withProductionHeaders(cached);
    for (const [name, value] of Object.entries(PRODUCTION_HEADERS)) expect(served.headers.get(name)).toBe(value);
    expect(served.headers.get('Content-Type')).toBe('text/html');
    expect([served.status, served.statusText]).toEqual([200, 'OK']);
    expect(await served.text()).toBe('<!doctype html>');
  });

  it('keeps a response without a body as it is', () => {
    const served = withProductionHeaders(new Response(null, { status: 404 }));
    expect([served.status, served.body]).toEqual([404, null]);
    expect(served.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });
});
