import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './scripts/lib/chromium';

const PREVIEW = 'http://127.0.0.1:4173';
const DEV = 'http://127.0.0.1:5174';

// Two builds of the app: the production build (what the README's start command serves and every
// spec drives), and `npm run dev`'s, so that a bug seen only in development cannot hide.
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    acceptDownloads: true,
    trace: 'off',
  },
  projects: [
    { name: 'production', testIgnore: /dev\.spec\.ts/, use: { baseURL: PREVIEW } },
    { name: 'dev', testMatch: /dev\.spec\.ts/, use: { baseURL: DEV } },
  ],
  webServer: [
    {
      command: 'npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
      url: PREVIEW,
      timeout: 300_000,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: 'npx vite --host 127.0.0.1 --port 5174 --strictPort',
      url: DEV,
      timeout: 300_000,
      reuseExistingServer: !process.env.CI,
    },
  ],
});
