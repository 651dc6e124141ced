/**
 * Draws the app's install icons (public/icons/*.png, committed) from
 * public/favicon.svg with Chromium: 192 and 512 px as the favicon is, and a
 * maskable 512 px one whose glyph sits inside the safe circle (the middle 80%)
 * on a full-bleed background, since launchers crop it to their own shape.
 *   npm run icons
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../src/node/paths';
import { launchChromium } from './lib/chromium';

const favicon = readFileSync(join(repoRoot, 'public/favicon.svg'), 'utf8');
const glyph = /<path[^>]*\/>/.exec(favicon)![0];
const background = /<rect[^>]*fill="([^"]+)"/.exec(favicon)![1];
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="${background}"/><g transform="translate(16 16) scale(0.8) translate(-16 -16)">${glyph}</g></svg>`;
const icons: [string, string, number][] = [
  ['icon-192.png', favicon, 192],
  ['icon-512.png', favicon, 512],
  ['maskable-512.png', maskable, 512],
];

const outDir = join(repoRoot, 'public/icons');
mkdirSync(outDir, { recursive: true });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  for (const [file, svg, size] of icons) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<style>body{margin:0}svg{display:block;width:100vw;height:100vh}</style>${svg}`);
    writeFileSync(join(outDir, file), await page.screenshot({ omitBackground: true }));
    console.log(`icons: wrote public/icons/${file}`);
  }
} finally {
  await browser.close();
}
