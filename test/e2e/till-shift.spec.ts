/**
 * A whole shift at the till, as a cashier runs it: sign in, open the shift, scan at wedge
 * speed, weigh, search, discount with a manager's approval, split cash + card, park and
 * resume, return part of an earlier sale, X report, blind close and Z report. Once in
 * English and once in Chinese, with screenshots of each step.
 */
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { ProductSummary } from '../../shared/catalog.ts';
import { expect, type TillHost, test } from './fixtures.ts';
import { scan, signIn } from './steps.ts';

const languages = [
  { code: 'en', L: en },
  { code: 'zh-CN', L: zhCN },
] as const;

async function find(till: TillHost, query: string, unit: 'each' | 'weight'): Promise<ProductSummary> {
  const result = await till.call('catalog.search', { query, limit: 50 });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  const hit = result.value.find((p) => p.unit === unit && (unit === 'weight' || p.barcode));
  if (!hit) throw new Error(`No ${unit} product for ${query}`);
  return hit;
}

for (const { code, L } of languages) {
  test(`a cashier runs a whole shift (${code})`, async ({ till, page }) => {
    test.setTimeout(120_000);
    const shot = (name: string) => page.screenshot({ path: `test-results/screenshots/${code}/till-${name}.png` });
    const demo = await till.call('setup.demo', { products: 400, language: code });
    expect(demo.ok).toBe(true);
    const owner = await till.call('staff.list', {});
    if (!owner.ok) throw new Error('no staff');
    const ids = Object.fromEntries(owner.value.map((s) => [s.role, s.id]));
    // Arrange: find products while an owner is signed in, then hand the till to the cashier.
    await till.call('staff.signIn', { staffId: ids.owner ?? '', pin: '1234' });
    const milk = await find(till, 'Milk', 'each');
    const biscuits = await find(till, 'Biscuits', 'each');
    const loose = await find(till, 'Loose', 'weight');
    await till.call('staff.signOut', {});
    await page.goto(till.url);

    await signIn(page, 'Ada Cashier', '1111');
    await page.locator('#float').fill('100.00');
    await page.keyboard.press('Enter');
    const search = page.locator('#product-search');
    await expect(search).toBeVisible();

    // Scan twice (one line, quantity 2), then another item.
    await scan(page, milk.barcode ?? '');
    await scan(page, milk.barcode ?? '');
    await scan(page, biscuits.barcode ?? '');
    const lines = page.getByRole('table', { name: L.till.lines });
    await expect(lines.getByRole('row')).toHaveCount(3);
    await expect(lines.getByRole('row').nth(1)).toContainText('2');

    // Weigh a loose item: search by name, pick it, type the scale's reading.
    await search.fill(loose.name);
    await page
      .getByRole('button', { name: new RegExp(loose.name) })
      .first()
      .click();
    await page.locator('#weight').fill('0.615');
    await page.keyboard.press('Enter');
    await expect(lines.getByRole('row')).toHaveCount(4);
    await expect(lines).toContainText('0.615 kg');
    await shot('1-lines');

    // A discount over the cashier's limit needs the manager's PIN.
    await lines.getByRole('button', { name: milk.name }).click();
    await page.getByRole('button', { name: L.till.lineDiscount }).click();
    await page.locator('#line-value').fill(((milk.price * 2 * 0.5) / 100).toFixed(2));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: L.override.title })).toBeVisible();
    await page.locator('#override-manager').selectOption({ label: 'Max Manager' });
    await page.locator('#override-pin').fill('2222');
    await shot('2-override');
    await page.keyboard.press('Enter');
    await expect(lines).toContainText('−');
    const total = await page.getByTestId('sale-total').textContent();

    // Split: 1.00 on card with its approval code, the rest in cash with change.
    await page.keyboard.press('F12');
    const pay = page.getByRole('dialog', { name: L.pay.title });
    await pay.getByRole('button', { name: L.tenders.card }).click();
    await pay.locator('#tender-amount').fill('1.00');
    await pay.locator('#tender-reference').fill('AUTH42');
    await pay.getByRole('button', { name: L.pay.addTender }).click();
    await pay.getByRole('button', { name: L.tenders.cash }).click();
    await pay.locator('#tender-amount').fill('50');
    await shot('3-payment');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('completed-sale')).toBeVisible();
    const firstSale = (await page.getByTestId('completed-sale').textContent())?.match(/T01-\d{6}/)?.[0] ?? '';
    expect(firstSale).not.toBe('');
    await expect(page.getByRole('button', { name: L.receipt.print })).toBeVisible();
    await shot('4-receipt');
    await page.getByRole('button', { name: L.receipt.noReceipt }).click();
    const done = await till.call('sale.byNumber', { number: firstSale });
    if (!done.ok) throw new Error('sale not found');
    expect(done.value.tenders.map((t) => t.kind)).toEqual(['card', 'cash']);
    expect(total).toContain((done.value.total / 100).toFixed(2).replace('.', '.'));

    // Park a sale, ring up another, come back to it.
    await scan(page, biscuits.barcode ?? '');
    await expect(lines.getByRole('row')).toHaveCount(2);
    await page.keyboard.press('F8');
    await expect(page.getByText(L.till.emptySale)).toBeVisible();
    await page.keyboard.press('F10');
    await page.getByRole('dialog', { name: L.parked.title }).getByRole('list').getByRole('button').first().click();
    await expect(lines.getByRole('row')).toHaveCount(2);
    await page.keyboard.press('F12');
    await page
      .getByRole('dialog', { name: L.pay.title })
      .getByRole('button', { name: new RegExp(L.pay.exact.split(' ')[0] ?? '') })
      .click();
    await expect(page.getByTestId('completed-sale')).toBeVisible();

    // Return one of the two milks from the first sale, with a manager.
    await page.keyboard.press('F9');
    const returns = page.getByRole('dialog', { name: L.returns.title });
    await returns.locator('#receipt-number').fill(firstSale);
    await page.keyboard.press('Enter');
    await returns.getByRole('spinbutton').first().fill('1');
    await returns.locator('#return-reason').fill('Damaged');
    await shot('5-return');
    await returns.getByRole('button', { name: L.returns.refund }).click();
    await page.locator('#override-manager').selectOption({ label: 'Max Manager' });
    await page.locator('#override-pin').fill('2222');
    await page.keyboard.press('Enter');
    await expect(returns).toBeHidden();
    await expect(page.getByTestId('completed-sale')).toBeVisible();
    await page.getByRole('button', { name: L.receipt.noReceipt }).click();
    const after = await till.call('sale.byNumber', { number: firstSale });
    expect(after.ok && after.value.state).toBe('partially_refunded');

    // X report as the manager, then the cashier closes with a blind count.
    await page.getByRole('button', { name: L.header.lock }).click();
    await signIn(page, 'Max Manager', '2222');
    await expect(search).toBeVisible();
    await page.keyboard.press('F11');
    const shift = page.getByRole('dialog', { name: L.shiftDesk.title });
    await shift.getByRole('button', { name: L.shiftDesk.xReport }).click();
    await expect(shift.getByTestId('expected-cash')).toBeVisible();
    await shot('6-x-report');
    await shift.getByRole('button', { name: L.common.back }).click();
    await shift.getByRole('button', { name: L.shiftDesk.closeShift }).click();
    await shift.locator('#shift-amount').fill('120.00');
    await page.keyboard.press('Enter');
    await expect(shift.getByTestId('over-short')).toBeVisible();
    await shot('7-z-report');
    const report = await till.call('shift.list', {});
    expect(report.ok && report.value[0]?.countedCash).toBe(12000);
    expect(till.pageErrors).toEqual([]);
  });
}
