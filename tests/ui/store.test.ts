import { describe, expect, it } from 'vitest';
import { addNotice, Store } from '../../src/ui/store';

describe('notices', () => {
  it('replaces a notice with the same text and keeps ids unique', () => {
    let notices = addNotice([], 'info', 'a');
    notices = addNotice(notices, 'error', 'b');
    notices = addNotice(notices, 'error', 'a');
    expect(notices.map((n) => n.text)).toEqual(['b', 'a']);
    expect(new Set(notices.map((n) => n.id)).size).toBe(2);
  });

  it('Store.notify adds one, dismiss removes it', () => {
    const store = new Store();
    store.notify('info', 'saved');
    store.notify('info', 'saved');
    store.notify('error', 'failed', 'retryData');
    expect(store.get().notices).toMatchObject([{ text: 'saved' }, { text: 'failed', action: 'retryData' }]);
    store.dismiss(store.get().notices[0].id);
    expect(store.get().notices.map((n) => n.text)).toEqual(['failed']);
  });
});
