/**
 * A stocktake as a shop runs one: the manager counts one category (scans and typed counts)
 * while a sale goes through at the till in between, reviews variances that match figures
 * computed here by hand (each line against the ledger at the moment it was counted),
 * exports the CSV, prints the report and applies the count. Then in Chinese a cashier
 * counts a chosen list and a manager approves it with a PIN. Screenshots of every step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { ProductSummary } from '../../shared/catalog.ts';
import { expect, root, type TillHost, test } from './fixtures.ts';
import { scan, signIn } from './steps.ts';

async function ok<N extends OperationName>(till: TillHost, name: N, input: InputOf<N>): Promise<OutputOf<N>> {
  const result = await till.call(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** A variance as the review shows it: "+2", "−9", "0" (a real minus sign). */
const signed = (thousandths: number) => {
  const units = Math.abs(thousandths) / 1000;
  return thousandths > 0 ? `+${units}` : thousandths < 0 ? `−${units}` : '0';
};

/** A screenshot of the whole screen: the window grows to fit the scrolled content, then goes back. */
async function shot(page: Page, language: string, name: string) {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const needed = await page.evaluate(() => {
    const content = document.querySelector('main');
    return content ? Math.ceil(content.getBoundingClientRect().top + content.scrollHeight) : 0;
  });
  if (needed > size.height) await page.setViewportSize({ width: size.width, height: needed });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(root, 'test-results', 'screenshots', language, `stocktake-${name}.png`) });
  await page.setViewportSize(size);
}

/** A category with at least three items sold each that carry a barcode: what a shelf count looks like. */
async function pickShelf(till: TillHost) {
  for (const category of await ok(till, 'catalog.categories', {})) {
    const items = (await ok(till, 'catalog.search', { query: '', categoryId: category.id, limit: 100 })).filter(
      (p): p is ProductSummary & { barcode: string } => p.unit === 'each' && p.barcode !== null && p.onHand > 2000,
    );
    const [a, b, c, d, e] = items;
    if (a && b && c && d && e) return { category, a, b, c, d, e };
  }
  throw new Error('The demo has no category with five scannable items in stock');
}

test('a category stocktake while the till sells: review, export, print, apply (English, then Chinese)', async ({
  till,
  page,
}) => {
  test.setTimeout(180_000);
  await ok(till, 'setup.demo', { products: 200, language: 'en' });
  const staff = await ok(till, 'staff.list', {});
  const owner = staff.find((s) => s.role === 'owner');
  await ok(till, 'staff.signIn', { staffId: owner?.id ?? '', pin: '1234' });
  const { category, a, b, c, d, e } = await pickShelf(till);
  await ok(till, 'staff.signOut', {});
  await page.goto(till.url);

  const L = en;
  const rail = page.getByRole('navigation', { name: L.nav.label });
  await signIn(page, 'Max Manager', '2222');
  await rail.getByRole('button', { name: L.nav.stocktakes }).click();
  await expect(page.getByRole('heading', { level: 1, name: L.stocktake.title })).toBeVisible();
  await expect(page.getByText(L.stocktake.none)).toBeVisible();
  await shot(page, 'en', '1-list');

  // A cycle count of one category, started from the keyboard.
  await page.keyboard.press('F2');
  await page.getByLabel(L.stocktake.scopeKinds.category).check();
  await page.locator('#st-category').selectOption({ label: category.name });
  await page.locator('#st-name').fill('Weekly cycle count');
  await shot(page, 'en', '2-new');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: /Weekly cycle count/ })).toBeVisible();

  // A: three scans. B: found by SKU, five typed.
  const feedback = page.getByTestId('count-feedback');
  for (let n = 1; n <= 3; n++) {
    await scan(page, a.barcode);
    await expect(feedback).toContainText(`${a.name} — counted ${n}`);
  }
  await page.locator('#st-find').fill(b.sku);
  await expect(page.getByRole('list', { name: L.till.results })).toContainText(b.name);
  await page.locator('#st-find').press('Enter');
  await page.locator('#st-quantity').fill('5');
  await page.keyboard.press('Enter');
  await expect(feedback).toContainText(`${b.name} — counted 5`);

  // Meanwhile at the till: one A (already counted) and one C (not yet counted) are sold.
  await rail.getByRole('button', { name: L.nav.till }).click();
  await page.locator('#float').fill('100.00');
  await page.keyboard.press('Enter');
  await expect(page.locator('#product-search')).toBeVisible();
  await scan(page, a.barcode);
  await scan(page, c.barcode);
  await expect(page.getByRole('table', { name: L.till.lines }).getByRole('row')).toHaveCount(3);
  await page.keyboard.press('F12');
  await page
    .getByRole('dialog', { name: L.pay.title })
    .getByRole('button', { name: new RegExp(L.pay.exact.split(' ')[0] ?? '') })
    .click();
  await expect(page.getByTestId('completed-sale')).toBeAttached();
  await page.keyboard.press('Escape'); // no paper receipt
  await expect(page.locator('dialog[open]')).toHaveCount(0);

  // Back to the count (it waited where it was): C is counted after the sale, 4 on the shelf.
  await rail.getByRole('button', { name: L.nav.stocktakes }).click();
  await page.locator('#st-find').fill(c.sku);
  await expect(page.getByRole('list', { name: L.till.results })).toContainText(c.name);
  await page.keyboard.press('Enter');
  await page.locator('#st-quantity').fill('4');
  await page.keyboard.press('Enter');
  await expect(feedback).toContainText(`${c.name} — counted 4`);
  const running = page.getByRole('table', { name: L.stocktake.runningLabel });
  await expect(running.getByRole('row')).toHaveCount(4);
  await shot(page, 'en', '3-counting');

  // Review: each line against the ledger when it was counted, computed here by hand.
  await page.keyboard.press('F9');
  await expect(page.getByRole('heading', { level: 1, name: /Review/ })).toBeVisible();
  const expected = [
    { p: a, counted: 3000, ledger: a.onHand }, // the sale of A came after A was counted
    { p: b, counted: 5000, ledger: b.onHand },
    { p: c, counted: 4000, ledger: c.onHand - 1000 }, // the sale of C came before C was counted
  ];
  const lines = page.getByRole('table', { name: L.stocktake.linesLabel });
  for (const { p, counted, ledger } of expected) {
    const cells = lines.locator(`tr[data-product="${p.id}"] td`);
    await expect(cells.nth(1)).toHaveText(String(counted / 1000));
    await expect(cells.nth(2)).toHaveText(String(ledger / 1000));
    await expect(cells.nth(3)).toHaveText(signed(counted - ledger));
  }
  const review = await ok(till, 'stocktake.review', { stocktakeId: (await ok(till, 'stocktake.list', {}))[0]?.id ?? '' });
  expect(review.lines.map((l) => [l.productId, l.variance])).toEqual(
    expect.arrayContaining(expected.map(({ p, counted, ledger }) => [p.id, counted - ledger])),
  );
  const byValue = review.lines.map((l) => Math.abs(l.value));
  expect(byValue).toEqual([...byValue].sort((x, y) => y - x));
  expect(review.totals.unitsNet).toBe(expected.reduce((sum, x) => sum + x.counted - x.ledger, 0));
  await shot(page, 'en', '4-review');

  // The CSV the export downloads.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: L.stocktake.exportCsv }).click();
  const csv = readFileSync((await (await download).path()) ?? '', 'utf8').split('\r\n');
  expect(csv[0]).toBe('sku,name,unit,status,counted,counted_at,expected,variance,unit_cost,variance_value');
  const cLine = csv.find((row) => row.startsWith(`${c.sku},`));
  expect(cLine).toContain(`,counted,4,`);
  expect(cLine).toContain(`,${(c.onHand - 1000) / 1000},${(4000 - (c.onHand - 1000)) / 1000},`);

  // The printable report.
  await page.getByRole('button', { name: L.stocktake.print }).click();
  await expect(page.getByRole('heading', { level: 1, name: L.stocktake.reportTitle })).toBeVisible();
  await expect(page.getByRole('table', { name: L.stocktake.linesLabel }).getByRole('row')).toHaveCount(4);
  await shot(page, 'en', '5-report');
  await page.getByRole('button', { name: L.common.back }).click();

  // Apply, as the manager signed in: one correction per counted line.
  await expect(page.getByRole('button', { name: L.stocktake.exportCsv })).toBeVisible();
  await page.keyboard.press('F12');
  const confirm = page.getByRole('dialog', { name: L.stocktake.applyTitle });
  await expect(confirm).toContainText('3 stock corrections');
  await shot(page, 'en', '6-apply');
  await confirm.getByRole('button', { name: L.stocktake.apply }).click();
  await expect(page.getByTestId('stocktake-notice')).toHaveText('Count applied: 3 stock corrections written.');
  await shot(page, 'en', '7-applied');
  const onHand = async (id: string) =>
    (await ok(till, 'stock.levels', { productId: id })).find((l) => l.locationId === 'shop')?.onHand;
  // On hand = counted + what moved after it was counted.
  expect([await onHand(a.id), await onHand(b.id), await onHand(c.id)]).toEqual([2000, 5000, 4000]);
  expect(await ok(till, 'stock.check', {})).toEqual([]);

  // In Chinese: a cashier counts a chosen list; a manager approves the apply with a PIN.
  const Z = zhCN;
  await ok(till, 'settings.update', { language: 'zh-CN' });
  await page.reload();
  await page.getByRole('button', { name: Z.header.lock }).click();
  await signIn(page, 'Ada Cashier', '1111');
  const zrail = page.getByRole('navigation', { name: Z.nav.label });
  await zrail.getByRole('button', { name: Z.nav.stocktakes }).click();
  await expect(page.getByRole('heading', { level: 1, name: Z.stocktake.title })).toBeVisible();
  await expect(page.getByRole('table', { name: Z.stocktake.list })).toContainText(Z.stocktake.states.applied);
  await shot(page, 'zh-CN', '1-list');
  await page.getByRole('button', { name: new RegExp(Z.stocktake.newCount) }).click();
  await page.getByLabel(Z.stocktake.scopeKinds.products).check();
  for (const p of [d, e]) {
    await page.locator('#st-product-search').fill(p.sku);
    await expect(page.getByRole('list', { name: Z.till.results })).toContainText(p.name);
    await page.locator('#st-product-search').press('Enter');
  }
  await expect(page.locator('.st-chosen li')).toHaveCount(2);
  await shot(page, 'zh-CN', '2-new');
  await page.getByRole('button', { name: Z.stocktake.start }).click();
  await expect(page.getByRole('heading', { level: 1, name: /清点中/ })).toBeVisible();
  await scan(page, d.barcode);
  await scan(page, d.barcode);
  await expect(page.getByTestId('count-feedback')).toContainText(`${d.name} —— 已清点 2`);
  await shot(page, 'zh-CN', '3-counting');

  await page.keyboard.press('F9');
  await page.getByLabel(Z.stocktake.policies.zero).check();
  const zlines = page.getByRole('table', { name: Z.stocktake.linesLabel });
  await expect(zlines.locator(`tr[data-product="${e.id}"]`)).toContainText(Z.stocktake.flags.zeroed);
  await expect(zlines.locator(`tr[data-product="${d.id}"] td`).nth(3)).toHaveText(signed(2000 - d.onHand));
  await shot(page, 'zh-CN', '4-review');
  await page.getByRole('button', { name: Z.stocktake.print }).click();
  await expect(page.getByRole('heading', { level: 1, name: Z.stocktake.reportTitle })).toBeVisible();
  await shot(page, 'zh-CN', '5-report');
  await page.getByRole('button', { name: Z.common.back }).click();

  await page.getByRole('button', { name: new RegExp(Z.stocktake.apply) }).click();
  await page.getByRole('dialog', { name: Z.stocktake.applyTitle }).getByRole('button', { name: Z.stocktake.apply }).click();
  const override = page.getByRole('dialog', { name: Z.override.title });
  await expect(override).toBeVisible();
  await page.locator('#override-manager').selectOption({ label: 'Max Manager' });
  await page.locator('#override-pin').fill('2222');
  await shot(page, 'zh-CN', '6-apply');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('stocktake-notice')).toHaveText('盘点已确认：写入 2 条库存更正。');
  await shot(page, 'zh-CN', '7-applied');
  expect([await onHand(d.id), await onHand(e.id)]).toEqual([2000, 0]);
  const applied = (await ok(till, 'stocktake.list', { state: 'applied' }))[0];
  expect(applied).toMatchObject({ appliedBy: { name: 'Ada Cashier' }, approvedBy: { name: 'Max Manager' } });
  expect(await ok(till, 'stock.check', {})).toEqual([]);
  expect(till.pageErrors).toEqual([]);
});
