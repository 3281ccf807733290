import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real UI in Debian's Chromium through browser mode (test/e2e), and the
 * packaged shell through Electron where a binary exists (test/electron). Never `playwright
 * install`: the browser is the system's. Build first (`npm run build`).
 */
export default defineConfig({
  // Not test-results/ itself: Playwright empties its output folder, and the screenshots and
  // the runners' JSON reports live beside it.
  outputDir: 'test-results/playwright',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'browser', testDir: 'test/e2e' },
    { name: 'electron', testDir: 'test/electron' },
  ],
});
