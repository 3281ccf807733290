/**
 * The app frame in Chromium through browser mode: every screen from the rail in English, the
 * switch to 简体中文 kept in the store across a reload and a killed host, screenshots of each.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { type Catalog, en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { screens } from '../../renderer/src/ui-store.ts';
import { expect, root, test } from './fixtures.ts';

const han = /\p{Script=Han}/u;

/** A catalog key shown as text ("nav.till", "setup.welcome") means a string missing from the catalog. */
const rawKey = new RegExp(`\\b(?:${Object.keys(en).join('|')})\\.[A-Za-z_][\\w.]*`);

/**
 * Clicks each rail item, checks the screen it opens is titled and fully translated, and keeps
 * a full-page screenshot of it.
 */
async function visitEveryScreen(page: Page, catalog: Catalog, language: 'en' | 'zh-CN'): Promise<void> {
  const rail = page.getByRole('navigation', { name: catalog.nav.label });
  await expect(rail.getByRole('button')).toHaveCount(screens.length);
  for (const screen of screens) {
    const item = rail.getByRole('button', { name: catalog.nav[screen], exact: true });
    await item.click();
    await expect(item).toHaveAttribute('aria-current', 'page');
    const title = page.getByRole('main').getByRole('heading', { level: 1 });
    await expect(title).toBeVisible();
    if (language === 'zh-CN') await expect(title).toHaveText(han);
    else await expect(title).not.toHaveText(han);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, word breaks included, is what a cashier reads
    expect(await page.locator('body').innerText()).not.toMatch(rawKey);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(root, 'test-results', 'screenshots', language, `${screen}.png`), fullPage: true });
  }
}

async function expectChinese(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('banner')).toContainText(zhCN.app.name);
  const rail = page.getByRole('navigation', { name: zhCN.nav.label });
  for (const screen of screens) await expect(rail.getByRole('button', { name: zhCN.nav[screen], exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: en.nav.settings, exact: true })).toHaveCount(0);
}

function storedLanguage(dataDir: string): unknown {
  const db = new Database(join(dataDir, 'tilldesk.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT value FROM setting WHERE key = 'language'").get() as { value: string } | undefined;
    return row ? JSON.parse(row.value) : undefined;
  } finally {
    db.close();
  }
}

test('the app frame: every screen in English, then in Chinese kept by the store', async ({ page, till }) => {
  // The catalogs really differ, so the checks below can tell the languages apart.
  for (const screen of screens) {
    expect(zhCN.nav[screen]).toMatch(han);
    expect(en.nav[screen]).not.toMatch(han);
  }

  await expect(page).toHaveTitle('Tilldesk');
  await till.openShop({ language: 'en' });
  await expect(page.getByRole('banner')).toContainText(en.app.name);
  await expect(page.getByTestId('sync-indicator')).toBeVisible();
  await expect(page).not.toHaveURL(/token=/); // the token leaves the address bar once read
  expect(screens).toEqual(['till', 'stock', 'stocktakes', 'orders', 'customers', 'reports', 'settings']);

  await visitEveryScreen(page, en, 'en');

  // Settings is the last screen visited: switch the language there.
  await expect(page.getByText(en.settings.transports.http)).toBeVisible();
  expect(storedLanguage(till.dataDir)).toBe('en');
  await page.getByLabel(en.settings.language).selectOption({ label: zhCN.languages['zh-CN'] });
  await expectChinese(page);
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText(zhCN.settings.title);
  expect(storedLanguage(till.dataDir)).toBe('zh-CN');

  await page.reload();
  await expectChinese(page);

  // A power cut, as far as the store can tell: the choice survives it (the sign-in does not).
  expect(till.pageErrors).toEqual([]);
  await page.goto('about:blank'); // so the cut event stream of the killed host is not counted as a page error
  await till.restart({ navigate: false });
  await till.openShop();
  await expectChinese(page);

  await visitEveryScreen(page, zhCN, 'zh-CN');
  expect(till.pageErrors).toEqual([]);
});
