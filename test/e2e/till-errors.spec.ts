/**
 * What a cashier sees when something goes wrong, in both languages: an unknown barcode,
 * a payment that is short, a return of more than is left, a wrong PIN, an action without
 * permission. Then a host killed mid-sale, and an accessibility scan of the till screens.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { expect, type TillHost, test } from './fixtures.ts';
import { scan, signIn } from './steps.ts';

/** Opens the demo shop with the cashier signed in and a shift open; returns a scannable product. */
async function cashierAtTill(till: TillHost, page: Page, language: 'en' | 'zh-CN') {
  const demo = await till.call('setup.demo', { products: 300, language });
  expect(demo.ok).toBe(true);
  const staff = await till.call('staff.list', {});
  const owner = staff.ok ? staff.value.find((s) => s.role === 'owner') : undefined;
  await till.call('staff.signIn', { staffId: owner?.id ?? '', pin: '1234' });
  const found = await till.call('catalog.search', { query: 'Milk', limit: 20 });
  const product = found.ok ? found.value.find((p) => p.unit === 'each' && p.barcode) : undefined;
  if (!product?.barcode) throw new Error('no scannable product');
  await till.call('staff.signOut', {});
  await page.goto(till.url);
  await signIn(page, 'Ada Cashier', '1111');
  await page.locator('#float').fill('50');
  await page.keyboard.press('Enter');
  await expect(page.locator('#product-search')).toBeVisible();
  return { ...product, barcode: product.barcode };
}

for (const { code, L } of [
  { code: 'en', L: en },
  { code: 'zh-CN', L: zhCN },
] as const) {
  test(`every error a cashier can hit reads clearly (${code})`, async ({ till, page }) => {
    const product = await cashierAtTill(till, page, code);
    const alert = page.getByRole('alert');

    await scan(page, '4006381333931'); // a real GTIN this shop does not sell
    await expect(alert).toHaveText(L.errors.unknown_barcode.replace('{{code}}', '4006381333931'));
    await page.screenshot({ path: `test-results/screenshots/${code}/till-error-unknown-barcode.png` });

    await scan(page, product.barcode);
    await expect(page.getByRole('table', { name: L.till.lines }).getByRole('row')).toHaveCount(2);
    await page.keyboard.press('F12');
    const pay = page.getByRole('dialog', { name: L.pay.title });
    await pay.getByRole('button', { name: L.tenders.card }).click();
    await pay.locator('#tender-amount').fill('1000');
    await pay.locator('#tender-reference').fill('X1');
    await pay.getByRole('button', { name: L.pay.addTender }).click();
    await expect(pay.getByRole('alert')).toContainText(L.errors.non_cash_over_total.split('{{')[0] ?? '');
    await pay.getByRole('button', { name: L.pay.removeTender }).click();
    await pay.getByRole('button', { name: L.tenders.cash }).click();
    await pay.locator('#tender-amount').fill('0.01');
    await pay.getByRole('button', { name: L.pay.addTender }).click();
    await expect(pay.getByRole('button', { name: L.pay.complete })).toBeDisabled();
    await expect(pay).toContainText(L.pay.stillToPay.split('{{')[1]?.split('}}')[1]?.trim() ?? '');
    // Sent to the store anyway, the short payment is refused with the amount missing.
    const short = await till.call('sale.complete', { tenders: [{ kind: 'cash', amount: 1 }] });
    expect(short.ok || short.error.reason).toBe('tender_short');
    await page.screenshot({ path: `test-results/screenshots/${code}/till-error-tender-short.png` });
    await pay.locator('#tender-amount').fill('100');
    await page.keyboard.press('Enter');
    const number = (await page.getByTestId('completed-sale').textContent())?.match(/T01-\d{6}/)?.[0] ?? '';
    await page.getByRole('button', { name: L.receipt.noReceipt }).click();

    // No permission: a cashier's discount over the limit asks for a manager; a wrong manager PIN says so.
    await scan(page, product.barcode);
    await expect(page.getByRole('table', { name: L.till.lines }).getByRole('row')).toHaveCount(2);
    await page.getByRole('button', { name: L.till.lineDiscount }).click();
    await page.locator('#line-value').fill((product.price / 100).toFixed(2));
    await page.keyboard.press('Enter');
    const approval = page.getByRole('dialog', { name: L.override.title });
    await expect(approval).toContainText(L.override.explain.replace('{{action}}', L.permissions.discount_over_limit));
    await approval.locator('#override-pin').fill('9999');
    await page.keyboard.press('Enter');
    await expect(approval.getByRole('alert')).toHaveText(L.errors.wrong_pin.replace('{{left}}', '4'));
    await page.screenshot({ path: `test-results/screenshots/${code}/till-error-wrong-pin.png` });
    await approval.getByRole('button', { name: L.common.cancel }).click();
    await page.getByRole('button', { name: L.till.clear }).click();
    await page.getByRole('dialog', { name: L.till.clearTitle }).getByRole('button', { name: L.till.clear }).click();
    // F9 is for an empty till with no dialog open: wait for the clear to be done.
    await expect(page.getByRole('dialog', { name: L.till.clearTitle })).toBeHidden();
    await expect(page.getByText(L.till.emptySale)).toBeVisible();

    // Over-refund: the sale had one; asking for two back is refused with what is left.
    const sale = await till.call('sale.byNumber', { number });
    if (!sale.ok) throw new Error('sale missing');
    const over = await till.call('sale.refund', {
      orderId: sale.value.id,
      lines: [{ lineId: sale.value.lines[0]?.id ?? '', quantity: 2000 }],
      reason: 'test',
      override: { staffId: (await managerId(till)) ?? '', pin: '2222' },
    });
    expect(over.ok || over.error.reason).toBe('over_refund');
    await page.keyboard.press('F9');
    const returns = page.getByRole('dialog', { name: L.returns.title });
    await returns.locator('#receipt-number').fill(number);
    await page.keyboard.press('Enter');
    const quantity = returns.getByRole('spinbutton').first();
    await expect(quantity).toHaveAttribute('max', '1');
    await returns.getByRole('button', { name: L.common.cancel }).click();

    // Wrong PIN at sign-in.
    await page.getByRole('button', { name: L.header.lock }).click();
    await signIn(page, 'Ada Cashier', '0000');
    await expect(page.getByRole('alert')).toHaveText(L.errors.wrong_pin.replace('{{left}}', '4'));
    await page.screenshot({ path: `test-results/screenshots/${code}/signin-wrong-pin.png` });
    expect(till.pageErrors).toEqual([]);
  });
}

async function managerId(till: TillHost): Promise<string | undefined> {
  const staff = await till.call('staff.list', {});
  return staff.ok ? staff.value.find((s) => s.role === 'manager')?.id : undefined;
}

test('the host killed mid-sale brings the open sale back exactly', async ({ till, page }) => {
  const product = await cashierAtTill(till, page, 'en');
  await scan(page, product.barcode);
  await scan(page, product.barcode);
  const lines = page.getByRole('table', { name: en.till.lines });
  await expect(lines.getByRole('row').nth(1)).toContainText('2');
  const before = await page.getByTestId('sale-total').textContent();
  await till.restart();
  // The power came back: sign in again and the sale is there, line for line.
  await signIn(page, 'Ada Cashier', '1111');
  await expect(lines.getByRole('row')).toHaveCount(2);
  await expect(lines.getByRole('row').nth(1)).toContainText('2');
  await expect(page.getByTestId('sale-total')).toHaveText(before ?? '');
});

test('F12 or Pay before the store has priced the line opens payment once it has', async ({ till, page }) => {
  const product = await cashierAtTill(till, page, 'en');
  // The early lookup cannot reach the store and the scan itself is slow to answer: the line
  // is painted as scanned, with no price yet.
  await page.route(
    (url) => url.pathname === '/api/op/catalog.lookupBarcode',
    (route) => route.abort(),
  );
  await page.route(
    (url) => url.pathname === '/api/op/sale.scan',
    async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    },
  );
  await scan(page, product.barcode);
  const lines = page.getByRole('table', { name: en.till.lines });
  await expect(lines.getByRole('row').nth(1)).toContainText('—'); // painted, not yet priced
  await page.screenshot({ path: 'test-results/screenshots/en/till-line-not-yet-priced.png' });
  await page.keyboard.press('F12');
  const pay = page.getByRole('dialog', { name: en.pay.title });
  await expect(pay).toBeVisible();
  await expect(lines.getByRole('row').nth(1)).not.toContainText('—');
  await expect(pay).toContainText((product.price / 100).toFixed(2));
  await page.screenshot({ path: 'test-results/screenshots/en/till-pay-after-pricing.png' });

  // The same with a tap on Pay instead of F12.
  await pay.getByRole('button', { name: en.common.cancel }).click();
  await page.getByRole('button', { name: en.till.clear }).click();
  await page.getByRole('dialog', { name: en.till.clearTitle }).getByRole('button', { name: en.till.clear }).click();
  // The scanner listens again once the dialog has gone, i.e. once the store has the clear.
  await expect(page.getByRole('dialog', { name: en.till.clearTitle })).toBeHidden();
  await expect(page.getByText(en.till.emptySale)).toBeVisible();
  await scan(page, product.barcode);
  await expect(lines.getByRole('row').nth(1)).toContainText('—');
  await page.getByRole('button', { name: new RegExp(`^${en.till.pay}`) }).click();
  await expect(pay).toBeVisible();
  await expect(pay).toContainText((product.price / 100).toFixed(2));
});

test('the till screens have no serious or critical accessibility violations', async ({ till, page }) => {
  const product = await cashierAtTill(till, page, 'en');
  const check = async (name: string) => {
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${name}: ${v.id} — ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  };
  await check('empty till');
  await scan(page, product.barcode);
  await expect(page.getByRole('table', { name: en.till.lines }).getByRole('row')).toHaveCount(2);
  await check('sale in progress');
  await page.keyboard.press('F12');
  await check('payment');
  await page.getByRole('dialog', { name: en.pay.title }).locator('#tender-amount').fill('100');
  await page.keyboard.press('Enter');
  await check('receipt');
  await page.getByRole('button', { name: en.receipt.noReceipt }).click();
  await page.getByRole('button', { name: en.header.lock }).click();
  await check('sign-in');
});

for (const size of [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
]) {
  test(`the till fits ${size.width}×${size.height} with nothing cut off`, async ({ till, page }) => {
    await page.setViewportSize(size);
    const product = await cashierAtTill(till, page, 'en');
    for (let i = 0; i < 3; i++) await scan(page, product.barcode);
    await expect(page.getByRole('table', { name: en.till.lines }).getByRole('row')).toHaveCount(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expect(page.getByRole('button', { name: new RegExp(en.till.pay) })).toBeInViewport();
    // Touch targets: every enabled button on the till is at least 44 px tall.
    const small = await page.$$eval('.till button:not(:disabled)', (buttons) =>
      buttons.filter((b) => b.getBoundingClientRect().height < 44).map((b) => b.textContent),
    );
    expect(small).toEqual([]);
    await page.screenshot({ path: `test-results/screenshots/en/till-${size.width}x${size.height}.png` });
  });
}
