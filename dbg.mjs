import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--disable-quic'] });
const p = await b.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
await p.goto('http://127.0.0.1:4173/');
await p.waitForTimeout(2500);
const pad = await p.getByRole('img', { name: 'Draw a digit' }).boundingBox();
// touch-draw a 3
const pts = [[90,60],[170,55],[190,90],[150,135],[190,170],[175,220],[95,225]];
await p.touchscreen.tap(pad.x+10, pad.y+10);
const cdp = await p.context().newCDPSession(p);
const ev = (type, [x,y]) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: pad.x + x, y: pad.y + y }] });
await ev('touchStart', pts[0]); for (const q of pts.slice(1)) { await ev('touchMove', q); } await ev('touchEnd', pts[6]);
await p.waitForTimeout(600);
console.log(await p.getByRole('status').innerText());
await p.screenshot({ path: '/tmp/phone.png', fullPage: false });
await b.close();
