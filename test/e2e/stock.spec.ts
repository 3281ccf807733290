/**
 * The stock desk as a manager uses it after closing: find a product in the windowed list,
 * receive a delivery (a barcode typed in, a product found by name), take damaged stock off
 * with a reason, read the movement history, filter low stock, change the reorder point,
 * import a catalog file with a bad row (all-or-nothing, then the valid rows) and export
 * the catalog. Then a cashier adjusts stock and a manager approves it with a PIN. The
 * same in English and in Chinese, with screenshots of each step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { ProductSummary } from '../../shared/catalog.ts';
import { formatMoney } from '../../shared/money.ts';
import { expect, root, type TillHost, test } from './fixtures.ts';
import { signIn } from './steps.ts';

async function ok<N extends OperationName>(till: TillHost, name: N, input: InputOf<N>): Promise<OutputOf<N>> {
  const result = await till.call(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

const euro = (minor: number) => formatMoney(minor, 'EUR', 'en-IE');
const fill = (template: string, params: Record<string, string | number>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(params[key] ?? ''));

const languages = [
  { code: 'en', L: en },
  { code: 'zh-CN', L: zhCN },
] as const;

for (const { code, L } of languages) {
  test(`stock: goods in, adjustments with reasons, history, import and export (${code})`, async ({ till, page }) => {
    test.setTimeout(150_000);
    const shot = async (name: string) => {
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(root, 'test-results', 'screenshots', code, `stock-${name}.png`) });
    };
    const S = L.stockDesk;
    await ok(till, 'setup.demo', { products: 400, language: code });
    await page.goto(till.url);
    await signIn(page, 'Max Manager', '2222');
    // Signed in (the store answered) before arranging anything through the same store.
    await expect(page.getByRole('button', { name: L.header.lock })).toBeVisible();
    const rail = page.getByRole('navigation', { name: L.nav.label });
    const main = page.getByRole('main');

    // Two stocked products that scan: one arrives by barcode, one is found by name.
    const found = await ok(till, 'catalog.search', { query: 'Milk', limit: 40 });
    const scannable = (p: ProductSummary): p is ProductSummary & { barcode: string } =>
      p.unit === 'each' && p.active && p.barcode !== null && /^\d{13}$/.test(p.barcode) && p.onHand > 0;
    const [milk, other] = found.filter(scannable);
    if (!milk || !other) throw new Error('The demo has no two scannable milks');

    await rail.getByRole('button', { name: L.nav.stock, exact: true }).click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(S.title);
    await expect(main.locator('.sk-count')).toHaveText(fill(S.count_other, { count: 400 - (await inactiveCount(till)) }));
    await expect(main.locator('button.sk-row').first()).toBeVisible();
    await shot('1-list');

    // Goods in from the keyboard: F2, the supplier, a barcode typed in, a product by name.
    await page.keyboard.press('F2');
    const goodsIn = page.getByRole('dialog', { name: S.goodsInTitle });
    await expect(goodsIn).toBeVisible();
    await page.locator('#gi-supplier').fill('Dairy Co');
    await page.locator('#gi-reference').fill('INV-778');
    await page.locator('#gi-find').fill(milk.barcode);
    await page.locator('#gi-find').press('Enter');
    await expect(goodsIn.locator('tbody tr')).toHaveCount(1);
    await page.locator('#gi-find').fill(other.sku);
    await expect(goodsIn.getByRole('list', { name: L.till.results }).getByRole('button').first()).toContainText(other.name);
    await page.locator('#gi-find').press('Enter');
    await expect(goodsIn.locator('tbody tr')).toHaveCount(2);
    await page.locator('#gi-qty-0').fill('24');
    await page.locator('#gi-cost-0').fill('0.95');
    await page.locator('#gi-qty-1').fill('6');
    await page.locator('#gi-cost-1').fill('1.20');
    await expect(goodsIn.locator('tfoot')).toContainText(euro(24 * 95 + 6 * 120));
    await shot('2-goods-in');
    await goodsIn.getByRole('button', { name: S.receive }).click();
    await expect(goodsIn).toBeHidden();
    await expect(main.getByRole('status')).toHaveText(fill(S.received_other, { count: 2, supplier: 'Dairy Co' }));

    // The product, found by its SKU: its stock went up by the delivery.
    await page.keyboard.press('/');
    await expect(page.locator('#sk-search')).toBeFocused();
    await page.keyboard.type(milk.sku);
    await expect(main.locator('button.sk-row')).toHaveCount(1);
    await expect(main.locator('button.sk-row')).toContainText(milk.sku);
    await main.locator('button.sk-row').first().focus();
    await page.keyboard.press('Enter');
    const panel = main.locator('.sk-panel');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText(milk.name);
    const onHand = milk.onHand / 1000 + 24;
    await expect(panel.locator('.sk-facts div').first()).toContainText(String(onHand));

    // Damaged stock off, with a reason and a note.
    await page.keyboard.press('F3');
    const adjust = page.getByRole('dialog', { name: fill(S.adjustTitle, { name: milk.name }) });
    await expect(adjust).toBeVisible();
    await adjust.getByLabel(S.reasons.damaged).check();
    await page.locator('#sk-adjust-qty').fill('2');
    await page.locator('#sk-adjust-note').fill('Dropped crate');
    await expect(adjust.locator('.sk-after')).toContainText(String(onHand - 2));
    await shot('3-adjust');
    await adjust.getByRole('button', { name: S.saveAdjustment }).click();
    await expect(adjust).toBeHidden();
    await expect(panel.locator('.sk-facts div').first()).toContainText(String(onHand - 2));

    // The movement history: who, when, why, which till; newest first.
    const history = panel.locator('.sk-history tbody tr');
    await expect(history.nth(0)).toContainText(S.kinds.adjustment);
    await expect(history.nth(0)).toContainText('−2');
    await expect(history.nth(0)).toContainText(`${S.reasons.damaged}: Dropped crate`);
    await expect(history.nth(0)).toContainText('Max Manager');
    await expect(history.nth(0)).toContainText(fill(S.thisTill, { code: 'T01' }));
    await expect(history.nth(1)).toContainText(S.kinds.goods_in);
    await expect(history.nth(1)).toContainText('+24');
    await expect(history.nth(1)).toContainText('Dairy Co');
    await expect(history.nth(1)).toContainText(euro(95));
    await expect(history.last()).toContainText('Opening stock');
    await shot('4-history');

    // A reorder point above what is on hand makes it low stock.
    await page.keyboard.press('F4');
    const editor = page.getByRole('dialog', { name: S.editTitle });
    await expect(page.locator('#pe-sku')).toHaveValue(milk.sku);
    await page.locator('#pe-reorder').fill('50');
    await shot('5-editor');
    await editor.getByRole('button', { name: L.common.save }).click();
    await expect(editor).toBeHidden();
    await expect(main.getByRole('status')).toHaveText(fill(S.saved, { name: milk.name }));
    await page.locator('#sk-search').fill('');
    await main.getByRole('button', { name: S.stockFilters.low, exact: true }).click();
    await expect(main.locator(`button.sk-row[data-id="${milk.id}"]`)).toBeVisible();
    await expect(main.locator(`button.sk-row[data-id="${milk.id}"] .sk-flag`)).toHaveText(S.flags.low);
    const low = await ok(till, 'stockList.count', { stock: 'low' });
    await expect(main.locator('.sk-count')).toHaveText(fill(low.count === 1 ? S.count_one : S.count_other, low));
    await shot('6-low-stock');
    await main.getByRole('button', { name: S.stockFilters.any, exact: true }).click();

    // A catalog file with one bad row: nothing written, then only the good row.
    await main.getByRole('button', { name: S.importCsv }).click();
    const importer = page.getByRole('dialog', { name: S.importTitle });
    await page.locator('#sk-file').setInputFiles({
      name: 'new-lines.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'sku,name,price,tax_class,reorder_point\r\nE2E-TEA,Green Tea 20 bags,2.49,Standard,4\r\nE2E-BAD,Broken Row,abc,Standard,1\r\n',
      ),
    });
    await importer.getByRole('button', { name: S.import, exact: true }).click();
    await expect(importer.getByRole('heading', { name: S.nothingImported })).toBeVisible();
    const problem = importer.locator('.sk-errors tbody tr');
    await expect(problem).toHaveCount(1);
    await expect(problem).toContainText('3');
    await expect(problem).toContainText('price');
    await expect(problem).toContainText(fill(L.errors.bad_price, { value: 'abc', currency: 'EUR' }));
    await shot('7-import-refused');
    await importer.getByRole('button', { name: S.importValidInstead }).click();
    await expect(importer.getByRole('heading', { name: fill(S.importDone_one, { count: 1 }) })).toBeVisible();
    await expect(importer.locator('progress.sk-done-bar')).toBeVisible();
    await shot('8-import-done');
    await importer.getByRole('button', { name: L.common.close }).click();
    await page.locator('#sk-search').fill('Green Tea');
    await expect(main.locator('button.sk-row')).toHaveCount(1);
    await expect(main.locator('button.sk-row')).toContainText('E2E-TEA');

    // The whole catalog as a file.
    const saving = page.waitForEvent('download');
    await main.getByRole('button', { name: S.exportCsv }).click();
    const file = await saving;
    const csv = readFileSync((await file.path()) ?? '', 'utf8');
    expect(csv.split('\r\n')[0]).toBe('sku,name,barcodes,category,unit,price,tax_class,cost,reorder_point,active');
    expect(csv).toContain('E2E-TEA,Green Tea 20 bags,,,each,2.49,Standard,,4,true');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(402);

    // A cashier takes found stock back on; a manager approves with a PIN.
    await page.getByRole('button', { name: L.header.lock }).click();
    await signIn(page, 'Ada Cashier', '1111');
    await rail.getByRole('button', { name: L.nav.stock, exact: true }).click();
    await expect(main.getByRole('button', { name: S.importCsv })).toHaveCount(0);
    await page.locator('#sk-search').fill(milk.sku);
    await expect(main.locator('button.sk-row')).toHaveCount(1);
    await expect(main.locator('button.sk-row')).toContainText(milk.sku); // not the last search's row
    await main.locator('button.sk-row').click();
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText(milk.name);
    await expect(panel.getByRole('button', { name: new RegExp(S.edit) })).toHaveCount(0);
    await panel.getByRole('button', { name: new RegExp(S.adjust) }).click();
    await adjust.getByLabel(S.reasons.found).check();
    await page.locator('#sk-adjust-qty').fill('1');
    await adjust.getByRole('button', { name: S.saveAdjustment }).click();
    const approval = page.getByRole('dialog', { name: L.override.title });
    await expect(approval).toBeVisible();
    await page.locator('#override-manager').selectOption({ label: 'Max Manager' });
    await page.locator('#override-pin').fill('2222');
    await shot('9-manager-approval');
    await approval.getByRole('button', { name: L.override.approve }).click();
    await expect(adjust).toBeHidden();
    await expect(history.nth(0)).toContainText('+1');
    await expect(history.nth(0)).toContainText(S.reasons.found);
    await expect(history.nth(0)).toContainText('Ada Cashier');
    await expect(history.nth(0)).toContainText(fill(S.approvedBy, { name: 'Max Manager' }));
    await expect(panel.locator('.sk-facts div').first()).toContainText(String(onHand - 1));
    await shot('10-approved-history');

    const ledger = await ok(till, 'stock.check', {});
    expect(ledger).toEqual([]);
    expect(till.pageErrors).toEqual([]);
  });
}

async function inactiveCount(till: TillHost): Promise<number> {
  return (await ok(till, 'stockList.count', { status: 'inactive' })).count;
}
