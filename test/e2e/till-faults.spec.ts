/**
 * The store refuses writes mid-sale (issue 8 item 5), for real: the host's database file and
 * its WAL are made immutable with `chattr +i` while the host keeps them open, so every write
 * fails inside SQLite (SQLITE_IOERR_WRITE) and reads go on. The cashier scans more, changes a
 * quantity and pays meanwhile: the till keeps it all, says so in a banner in the shop's
 * language, and never shows the sale complete. Then the fault is lifted and the sale is saved
 * once, with every line, in the order the cashier rang it up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { ProductSummary } from '../../shared/catalog.ts';
import { expect, type TillHost, test } from './fixtures.ts';
import { scan, signIn } from './steps.ts';

async function scannable(till: TillHost, query: string): Promise<ProductSummary & { barcode: string }> {
  const found = await till.call('catalog.search', { query, limit: 50 });
  if (!found.ok) throw new Error(JSON.stringify(found.error));
  const hit = found.value.find((p) => p.unit === 'each' && p.barcode);
  if (!hit?.barcode) throw new Error(`no scannable ${query}`);
  return { ...hit, barcode: hit.barcode };
}

/** The store's files, which `chattr +i` freezes: no write reaches them, even as root. */
function storeFiles(till: TillHost): string[] {
  const db = join(till.dataDir, 'tilldesk.db');
  return [db, `${db}-wal`].filter((file) => existsSync(file));
}

for (const { code, L } of [
  { code: 'en', L: en },
  { code: 'zh-CN', L: zhCN },
] as const) {
  test(`a sale rung up and paid while the store refuses writes is kept, then saved once (${code})`, async ({ till, page }) => {
    test.setTimeout(120_000);
    const demo = await till.call('setup.demo', { products: 300, language: code });
    expect(demo.ok).toBe(true);
    const staff = await till.call('staff.list', {});
    const owner = staff.ok ? staff.value.find((s) => s.role === 'owner') : undefined;
    await till.call('staff.signIn', { staffId: owner?.id ?? '', pin: '1234' });
    const milk = await scannable(till, 'Milk');
    const bread = await scannable(till, 'Bread');
    const crisps = await scannable(till, 'Crisps');
    await till.call('staff.signOut', {});
    await page.goto(till.url);
    await signIn(page, 'Ada Cashier', '1111');
    await page.locator('#float').fill('50');
    await page.keyboard.press('Enter');
    await expect(page.locator('#product-search')).toBeVisible();

    const lines = page.getByRole('table', { name: L.till.lines });
    const banner = page.getByTestId('save-fault');
    await scan(page, milk.barcode);
    await expect(lines.locator('tbody tr[aria-busy="false"]')).toHaveCount(1);

    let saleId = '';
    const files = storeFiles(till);
    expect(files).toHaveLength(2);
    execFileSync('chattr', ['+i', ...files]);
    try {
      // Scans and a quantity change while nothing can be written: shown at once, marked not saved.
      await scan(page, bread.barcode);
      await scan(page, bread.barcode);
      await scan(page, crisps.barcode);
      await expect(lines.getByRole('row')).toHaveCount(4);
      await expect(banner).toBeVisible();
      await page.keyboard.press('F7');
      await page.locator('#line-value').fill('3');
      await page.keyboard.press('Enter');
      await expect(lines.getByRole('row').nth(3)).toContainText(crisps.name);
      await expect(lines.getByRole('row').nth(3).getByRole('cell').nth(1)).toHaveText('3');
      await expect(lines.locator('tbody tr[aria-busy="true"]')).toHaveCount(2);
      const total = milk.price + 2 * bread.price + 3 * crisps.price;
      await expect(page.getByTestId('sale-total')).toContainText((total / 100).toFixed(2));
      await expect(lines.getByText(L.till.notSaved)).toHaveCount(2);
      await page.screenshot({ path: `test-results/screenshots/${code}/till-fault-lines.png` });

      // Paid in cash: the money is taken, the sale is not complete until the store has it.
      await page.keyboard.press('F12');
      const pay = page.getByRole('dialog', { name: L.pay.title });
      const cash = Math.ceil(total / 100) + 10;
      await pay.locator('#tender-amount').fill(String(cash));
      await page.keyboard.press('Enter');
      await expect(pay).toBeHidden();
      await expect(page.getByTestId('paid-waiting')).toBeVisible();
      await expect(page.getByTestId('completed-sale')).toBeHidden();
      await expect(page.getByText(L.till.emptySale)).toBeVisible();

      // The banner, in the shop's language, names the fault the store reported.
      const reasons = Object.values(L.till.saveFaults).map((reason) => L.till.cannotSave.replace('{{reason}}', reason));
      const said = (await banner.locator('strong').textContent()) ?? '';
      expect(reasons).toContain(said);
      await expect(banner).toContainText(L.till.keptActions_other.replace('{{count}}', '5'));
      await page.screenshot({ path: `test-results/screenshots/${code}/till-fault-banner.png` });

      // Nothing was half-written: the store still holds the one line it saved before the fault.
      const open = await till.call('sale.current', {});
      if (!open.ok || !open.value) throw new Error('the sale in progress is gone from the store');
      expect(open.value.lines.map((l) => [l.sku, l.quantity])).toEqual([[milk.sku, 1000]]);
      saleId = open.value.id;
    } finally {
      execFileSync('chattr', ['-i', ...files]);
    }

    // The fault is gone: the next try saves everything, in order, and only now is the sale complete.
    // The till's own backoff may get there before the cashier's tap: either way the banner goes.
    await expect(async () => {
      if (await banner.isVisible()) await banner.getByRole('button', { name: L.till.retryNow }).click({ timeout: 1_000 });
      await expect(banner).toBeHidden({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    const completed = page.getByTestId('completed-sale');
    await expect(completed).toBeVisible();
    const number = (await completed.textContent())?.match(/T01-(\d{6})/)?.[0] ?? '';
    await page.screenshot({ path: `test-results/screenshots/${code}/till-fault-saved.png` });
    const sale = await till.call('sale.byNumber', { number });
    if (!sale.ok) throw new Error(JSON.stringify(sale.error));
    expect(sale.value.id).toBe(saleId);
    expect(sale.value.state).toBe('completed');
    expect(sale.value.lines.map((l) => [l.sku, l.quantity])).toEqual([
      [milk.sku, 1000],
      [bread.sku, 2000],
      [crisps.sku, 3000],
    ]);
    expect(sale.value.total).toBe(milk.price + 2 * bread.price + 3 * crisps.price);
    expect(sale.value.tenders.map((t) => [t.kind, t.amount])).toEqual([['cash', sale.value.total]]);
    // Once: no sale numbered after it, nothing left open.
    const next = `T01-${String(Number(number.slice(4)) + 1).padStart(6, '0')}`;
    expect((await till.call('sale.byNumber', { number: next })).ok).toBe(false);
    const after = await till.call('sale.current', {});
    expect(after.ok && after.value).toBeNull();
    // The refused writes were answered 5xx on purpose; anything else the page logged is a fault.
    expect(till.pageErrors.filter((e) => !/status of 5\d\d/.test(e))).toEqual([]);
  });
}
