/**
 * A till whose store is damaged between two runs: the host starts in recovery instead of
 * crashing, the UI says what happened, which file, and which backups there are (in English
 * and in Chinese, screenshots of each), one click restores the newest backup, and the till
 * comes back to sign-in with the shop as it was in the backup.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { type Catalog, en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { BackupFile } from '../../shared/backup.ts';
import { expect, root, type TillHost, test, testShop } from './fixtures.ts';

const han = /\p{Script=Han}/u;
const rawKey = new RegExp(`\\b(?:${Object.keys(en).join('|')})\\.[A-Za-z_][\\w.]*`);

/**
 * In recovery the app's first calls (its settings, who is signed in) are answered 503 before
 * it has asked whether the till runs; Chromium logs those as failed loads. Anything else is a
 * real page error.
 */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/^console\.error: Failed to load resource: the server responded with a status of 503/.test(e));

async function shot(page: Page, language: string, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(root, 'test-results', 'screenshots', language, `${name}.png`), fullPage: true });
}

/** A shop with a backup, then the host stopped cleanly so the file can be damaged. */
async function shopWithBackup(page: Page, till: TillHost, language: 'en' | 'zh-CN'): Promise<BackupFile> {
  await till.openShop({ language });
  const backup = await till.call('backup.now', {});
  if (!backup.ok) throw new Error(`backup.now failed: ${JSON.stringify(backup.error)}`);
  // Off the app first, so stopping the host cuts no request of the page.
  await page.goto('about:blank');
  await till.stop();
  return backup.value;
}

async function expectRecoveryScreen(page: Page, catalog: Catalog, problem: keyof Catalog['recovery']['problems']) {
  await expect(page.getByRole('heading', { level: 1, name: catalog.recovery.title })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveText(catalog.recovery.problems[problem]);
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the shop reads
  expect(await page.locator('body').innerText()).not.toMatch(rawKey);
}

test('a store overwritten by another file: recovery in English and Chinese, restore, sign-in', async ({ page, till }) => {
  const backup = await shopWithBackup(page, till, 'en');
  const path = join(till.dataDir, 'tilldesk.db');
  writeFileSync(path, 'Dear shop, this file was replaced by a text document.\n'.repeat(50));

  await till.restart();
  expect(till.log()).toMatch(/cannot be opened \(not_a_database/);
  await expectRecoveryScreen(page, en, 'not_a_database');
  await expect(page.getByText(path, { exact: true })).toBeVisible();
  const backups = page.getByRole('table', { name: en.recovery.backupList });
  await expect(backups.getByRole('row')).toHaveCount(2); // the header and the one backup
  await expect(backups).toContainText(backup.file);
  await expect(backups).toContainText(en.recovery.newest);
  await shot(page, 'en', 'recovery');

  // Nobody can read the damaged store's language; the screen offers the choice.
  await page.getByLabel(en.settings.language).selectOption({ label: zhCN.languages['zh-CN'] });
  await expectRecoveryScreen(page, zhCN, 'not_a_database');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: zhCN.recovery.restore })).toHaveText(han);
  await shot(page, 'zh-CN', 'recovery');
  await page.getByLabel(zhCN.settings.language).selectOption({ label: en.languages.en });

  await page.getByRole('button', { name: en.recovery.restore }).click();
  await expect(page.getByRole('heading', { level: 1, name: en.recovery.restoredTitle })).toBeVisible();
  await expect(page.getByRole('status')).toContainText(backup.file);
  await expect(page.getByText(/tilldesk\.db\.before-restore-\d{8}-\d{6}$/)).toBeVisible();
  await shot(page, 'en', 'recovery-restored');
  expect(readFileSync(path).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');

  await page.getByRole('button', { name: en.recovery.continue }).click();
  await expect(page.getByRole('heading', { level: 2, name: en.signin.who })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: testShop.shopName })).toBeVisible();
  await expect(page.getByRole('button', { name: new RegExp(testShop.ownerName) })).toBeVisible();
  await shot(page, 'en', 'recovery-signin');
  expect(unexpected(till.pageErrors)).toEqual([]);
});

test('a damaged page in a Chinese shop: the screen speaks the store’s language, restores, signs in', async ({ page, till }) => {
  const backup = await shopWithBackup(page, till, 'zh-CN');
  const path = join(till.dataDir, 'tilldesk.db');
  // Junk over the outbox, which the till reads as it opens; the settings stay readable.
  const db = new Database(path, { readonly: true });
  const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = 'outbox'").pluck().all() as number[];
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = readFileSync(path);
  for (const page of pages) bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
  writeFileSync(path, bytes);

  await till.restart();
  await expectRecoveryScreen(page, zhCN, 'damaged');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('table', { name: zhCN.recovery.backupList })).toContainText(backup.file);
  await page.getByText(zhCN.recovery.detail).click();
  await expect(page.getByText(/SQLITE_CORRUPT/)).toBeVisible();
  await shot(page, 'zh-CN', 'recovery-damaged');

  await page.getByRole('button', { name: zhCN.recovery.restore }).click();
  await expect(page.getByRole('heading', { level: 1, name: zhCN.recovery.restoredTitle })).toBeVisible();
  await shot(page, 'zh-CN', 'recovery-restored');
  await page.getByRole('button', { name: zhCN.recovery.continue }).click();
  await expect(page.getByRole('heading', { level: 2, name: zhCN.signin.who })).toBeVisible();
  await shot(page, 'zh-CN', 'recovery-signin');
  expect(unexpected(till.pageErrors)).toEqual([]);
});
