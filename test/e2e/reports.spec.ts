/**
 * The reports screen over the demo's week of sales plus today's sale, refund and void:
 * headline figures that match the store's own report, charts drawn by Recharts, the
 * product, staff and tender tables, a table downloaded as CSV, and reorder suggestions.
 * In English and Chinese, with screenshots of each tab.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
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
  test(`reports: figures, charts, tables, CSV and reorder suggestions (${code})`, async ({ till, page }) => {
    test.setTimeout(120_000);
    const R = L.reportsDesk;
    /** The whole screen: the window grows to fit the scrolled content, then goes back. */
    const shot = async (name: string) => {
      const size = page.viewportSize() ?? { width: 1280, height: 800 };
      const needed = await page.evaluate(() => {
        const content = document.querySelector('main');
        return content ? Math.ceil(content.getBoundingClientRect().top + content.scrollHeight) : 0;
      });
      if (needed > size.height) await page.setViewportSize({ width: size.width, height: needed });
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(root, 'test-results', 'screenshots', code, `reports-${name}.png`) });
      await page.setViewportSize(size);
    };
    await ok(till, 'setup.demo', { products: 400, language: code });
    await page.goto(till.url);
    await signIn(page, 'Max Manager', '2222');
    // Signed in (the store answered) before arranging anything through the same store.
    await expect(page.getByRole('button', { name: L.header.lock })).toBeVisible();

    // Today: a sale, part of it refunded, and a sale voided.
    await ok(till, 'shift.open', { float: 10_000 });
    const [a, b] = (await ok(till, 'catalog.search', { query: 'Milk', limit: 20 })).filter((p) => p.unit === 'each');
    if (!a || !b) throw new Error('The demo sells no milk');
    await ok(till, 'sale.addItem', { productId: a.id, quantity: 3000 });
    const sold = await ok(till, 'sale.addItem', { productId: b.id, quantity: 1000 });
    const sale = await ok(till, 'sale.complete', { tenders: [{ kind: 'cash', amount: sold.total }] });
    const line = sale.lines[0];
    await ok(till, 'sale.refund', {
      orderId: sale.id,
      lines: [{ lineId: line?.id ?? '', quantity: 1000 }],
      reason: 'Split carton',
    });
    const twice = await ok(till, 'sale.addItem', { productId: b.id, quantity: 1000 });
    const rung = await ok(till, 'sale.complete', { tenders: [{ kind: 'card', amount: twice.total, reference: 'E2E1' }] });
    await ok(till, 'sale.void', { orderId: rung.id, reason: 'Rang up twice' });

    const rail = page.getByRole('navigation', { name: L.nav.label });
    const main = page.getByRole('main');
    await rail.getByRole('button', { name: L.nav.reports, exact: true }).click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(R.title);
    await main.getByRole('button', { name: R.presets.last30 }).click();
    const from = await page.locator('#rp-from').inputValue();
    const to = await page.locator('#rp-to').inputValue();
    await expect(main.locator('.rp-status')).toHaveText(fill(R.range, { from, to }));
    const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const report = await ok(till, 'reports.sales', { from, to, timeZone });
    expect(report.totals.sales.count).toBeGreaterThan(40); // the demo's week and today's sale
    expect(report.totals.refunds.count).toBe(1);
    expect(report.totals.voids).toEqual({ count: 1, total: rung.total });

    // Headline figures as the store computed them, and the charts drawn.
    const figures = main.locator('.rp-figure');
    await expect(figures.nth(0)).toContainText(euro(report.totals.net));
    await expect(figures.nth(1)).toContainText(euro(report.totals.sales.total));
    await expect(figures.nth(2)).toContainText(euro(report.totals.refunds.total));
    await expect(figures.nth(3)).toContainText(euro(rung.total));
    for (const chart of ['days', 'hours', 'weekdays']) {
      await expect(main.locator(`[data-chart="${chart}"] .recharts-bar-rectangle`).first()).toBeVisible();
    }
    await expect(main.locator('[data-chart="tenders"] .recharts-pie-sector').first()).toBeVisible();
    await expect(main.locator('section[aria-labelledby="rp-days"] tfoot')).toContainText(euro(report.totals.net));
    await shot('1-overview');

    // What sold, with margins from the cost snapshots.
    await main.getByRole('tab', { name: R.tabs.products }).click();
    const products = main.locator('section[aria-labelledby="rp-products"] tbody tr');
    await expect(products).toHaveCount(Math.min(100, report.productCount));
    const best = report.byProduct[0];
    await expect(products.first()).toContainText(best?.name ?? '');
    await expect(products.first()).toContainText(euro(best?.sales ?? 0));
    await expect(main.locator('section[aria-labelledby="rp-margin"]')).toContainText(euro(report.margin.revenue));
    const saving = page.waitForEvent('download');
    await main.getByRole('button', { name: fill(R.csvOf, { table: R.tables.products }) }).click();
    const csv = readFileSync((await (await saving).path()) ?? '', 'utf8').split('\r\n');
    expect(csv[0]).toBe('sku,name,category,quantity,sales,revenue_ex_tax,cost,margin');
    expect(csv.filter(Boolean)).toHaveLength(report.productCount + 1);
    await shot('2-products');

    // Who sold, how customers paid, tax, refunds and voids with their reasons.
    await main.getByRole('tab', { name: R.tabs.money }).click();
    const cashiers = main.locator('section[aria-labelledby="rp-cashiers"] tbody tr');
    await expect(cashiers).toHaveCount(report.byCashier.length);
    await expect(cashiers.filter({ hasText: 'Ada Cashier' })).toHaveCount(1);
    const refunds = main.locator('section[aria-labelledby="rp-refunds"] tbody tr');
    await expect(refunds).toHaveCount(2);
    await expect(refunds.nth(0)).toContainText('Rang up twice');
    await expect(refunds.nth(0)).toContainText(R.kinds.void);
    await expect(refunds.nth(1)).toContainText('Split carton');
    await expect(main.locator('section[aria-labelledby="rp-tax"] tbody tr')).toHaveCount(report.tax.length);
    await shot('3-money');

    // Reorder suggestions from each product's own trend.
    await main.getByRole('tab', { name: R.tabs.reorder }).click();
    const reorder = await ok(till, 'reports.reorder', { historyDays: 28, leadDays: 7, timeZone });
    const rows = main.locator('section[aria-labelledby="rp-reorder"] tbody tr');
    await expect(rows).toHaveCount(Math.min(200, reorder.total));
    if (reorder.rows[0]) await expect(rows.first()).toContainText(reorder.rows[0].name);
    await page.locator('#rp-lead').fill('14');
    await page.locator('#rp-lead').press('Enter');
    await expect(main.locator('.rp-note').first()).toContainText(R.reorder.how.slice(0, 12));
    const longer = await ok(till, 'reports.reorder', { historyDays: 28, leadDays: 14, timeZone });
    await expect(main.locator('section[aria-labelledby="rp-reorder"] .rp-note')).toContainText(
      fill(R.reorder.basis, { from: longer.historyFrom, to: longer.historyTo, lead: 14 }),
    );
    await expect(rows).toHaveCount(Math.min(200, longer.total));
    await shot('4-reorder');

    expect(till.pageErrors).toEqual([]);
  });
}
