/**
 * The back office's order history and customer care, as a manager uses them: add a customer
 * and a complaint, see the till flag them, sell to them, find the sale in Orders, take it for
 * delivery and mark it shipped with a carrier and tracking number, print its packing slip,
 * then resolve the complaint. In English and in Chinese, with screenshots of each step.
 */
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { expect, root, test } from './fixtures.ts';
import { signIn } from './steps.ts';

/** Sales rung up through the contract before the walk-through, so the list needs a second page. */
const extraSales = 110;

const languages = [
  { code: 'en', L: en },
  { code: 'zh-CN', L: zhCN },
] as const;

for (const { code, L } of languages) {
  test(`orders, delivery and customer notes (${code})`, async ({ till, page }) => {
    test.setTimeout(120_000);
    const shot = async (name: string) => {
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(root, 'test-results', 'screenshots', code, `${name}.png`), fullPage: true });
    };
    const demo = await till.call('setup.demo', { products: 200, language: code });
    expect(demo.ok).toBe(true);
    await page.goto(till.url);
    await signIn(page, 'Max Manager', '2222');
    const rail = page.getByRole('navigation', { name: L.nav.label });
    const main = page.getByRole('main');

    // A new customer, with a complaint on file.
    await rail.getByRole('button', { name: L.nav.customers, exact: true }).click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(L.customers.title);
    await main.getByRole('button', { name: L.customers.new, exact: true }).click();
    await main.getByLabel(L.customers.name, { exact: true }).fill('Aoife Murphy');
    await main.getByLabel(L.customers.phone, { exact: true }).fill('087 123 4567');
    await main.getByLabel(L.customers.email, { exact: true }).fill('aoife@example.com');
    await main.getByLabel(L.customers.consent).check();
    await main.getByRole('button', { name: L.customers.create }).click();
    await expect(main.getByRole('heading', { level: 2, name: 'Aoife Murphy' })).toBeVisible();
    await main.getByRole('button', { name: L.notes.add }).click();
    const noteDialog = page.getByRole('dialog');
    await noteDialog.getByRole('button', { name: L.notes.categories.complaint }).click();
    await noteDialog.getByLabel(L.notes.body).fill('The oat milk bought on Monday was sour.');
    await shot('customers-1-new-note');
    await noteDialog.getByRole('button', { name: L.notes.open, exact: true }).click();
    await expect(noteDialog).toBeHidden();
    await expect(main.locator('.note-card')).toContainText('The oat milk bought on Monday was sour.');
    await shot('customers-2-customer');

    // At the till, the customer carries a flag for the open note.
    await rail.getByRole('button', { name: L.nav.till, exact: true }).click();
    await page.locator('#float').fill('100.00');
    await page.keyboard.press('Enter');
    await expect(page.locator('#product-search')).toBeVisible();

    // A busier week than the demo's: more orders than one page of the list holds.
    const products = await till.call('catalog.search', { query: 'Milk', limit: 20 });
    const product = products.ok ? products.value.find((p) => p.unit === 'each') : undefined;
    if (!product) throw new Error('The demo sells no milk');
    for (let n = 0; n < extraSales; n++) {
      const open = await till.call('sale.addItem', { productId: product.id, quantity: 1000 });
      if (!open.ok) throw new Error(JSON.stringify(open.error));
      const done = await till.call('sale.complete', {
        tenders: [{ kind: 'card', amount: open.value.total, reference: `E2E${n}` }],
      });
      if (!done.ok) throw new Error(JSON.stringify(done.error));
    }
    await page.keyboard.press('F4');
    const picker = page.getByRole('dialog', { name: L.customers.pickerTitle });
    await picker.getByLabel(L.customers.search).fill('aoife');
    const hit = picker.getByRole('button', { name: /Aoife Murphy/ });
    await expect(hit.getByTestId('open-notes-flag')).toBeVisible();
    await hit.click();
    await expect(picker.getByRole('note')).toContainText('The oat milk bought on Monday was sour.');
    await shot('customers-3-till-flag');
    await picker.getByRole('button', { name: L.common.close, exact: true }).click();
    await expect(page.getByTestId('till-customer')).toContainText('Aoife Murphy');
    await expect(page.locator('.till-customer').getByTestId('open-notes-flag')).toBeVisible();

    // Sell them something, found by name and paid exactly in cash.
    await page.locator('#product-search').fill(product.name);
    await page
      .getByRole('button', { name: new RegExp(product.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
      .first()
      .click();
    await expect(page.getByRole('table', { name: L.till.lines }).getByRole('row')).toHaveCount(2);
    await page.keyboard.press('F12');
    const pay = page.getByRole('dialog', { name: L.pay.title });
    await pay.getByRole('button', { name: new RegExp(L.pay.exact.split(' ')[0] ?? '') }).click();
    await expect(page.getByTestId('completed-sale')).toBeVisible();
    const number = (await page.getByTestId('completed-sale').textContent())?.match(/T01-\d{6}/)?.[0] ?? '';
    expect(number).not.toBe('');
    // The receipt question, if asked: no receipt.
    if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();

    // Order history: a week of demo sales and ours, newest first.
    await rail.getByRole('button', { name: L.nav.orders, exact: true }).click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(L.orders.title);
    const list = main.getByRole('list', { name: L.orders.listLabel });
    await expect(list.getByRole('button').first()).toContainText(number);
    expect(await list.getByRole('listitem').count()).toBeGreaterThan(10);
    // More than a page: the list comes first, then its count.
    const all = await till.call('orders.count', {});
    const total = all.ok ? all.value.n : 0;
    expect(total).toBeGreaterThan(100 + extraSales / 2);
    await expect(main.locator('.order-count')).toHaveText(L.orders.count_other.replace('{{count, number}}', String(total)));
    await shot('orders-1-list');

    // Only the rows in view are in the page; scrolling to the end loads the next page, down to the first order.
    expect(await list.getByRole('listitem').count()).toBeLessThan(40);
    const rows = main.locator('.order-rows');
    await expect(async () => {
      await rows.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await expect(list.getByRole('button', { name: /T01-000001/ })).toBeVisible({ timeout: 500 });
    }).toPass();
    await expect(list.getByRole('listitem').last()).toHaveAttribute('aria-posinset', String(total));
    await rows.evaluate((el) => {
      el.scrollTop = 0;
    });

    // Find it by number and open it.
    await main.getByLabel(L.orders.filters.number).fill(number);
    await expect(list.getByRole('button')).toHaveCount(1);
    await expect(main.locator('.order-count')).toHaveText(L.orders.count_one.replace('{{count}}', '1'));
    await list.getByRole('button').first().click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(L.orders.saleTitle.replace('{{number}}', number));
    await expect(main).toContainText('Aoife Murphy');
    await expect(main).toContainText(product.name);
    await shot('orders-2-detail');

    // Take it for delivery, then ship it with a carrier and tracking number.
    await main.getByRole('button', { name: L.orders.fulfilment.takeForDelivery }).click();
    const address = page.getByRole('dialog', { name: L.orders.fulfilment.takeForDelivery });
    await expect(address.getByLabel(L.orders.fulfilment.address.recipient, { exact: true })).toHaveValue('Aoife Murphy');
    await address.getByLabel(L.orders.fulfilment.address.line1, { exact: true }).fill('12 Harbour Road');
    await address.getByLabel(L.orders.fulfilment.address.city, { exact: true }).fill('Howth');
    await address.getByLabel(new RegExp(L.orders.fulfilment.address.postcode)).fill('D13 X2Y4');
    await address.getByLabel(L.orders.fulfilment.address.country, { exact: true }).fill('Ireland');
    await address.getByRole('button', { name: L.orders.fulfilment.create }).click();
    await expect(address).toBeHidden();
    const delivery = main.getByRole('region', { name: L.orders.fulfilment.title });
    await expect(delivery.locator('[aria-current="step"]')).toContainText(L.orders.fulfilment.states.to_ship);

    await delivery.getByRole('button', { name: L.orders.fulfilment.markShipped }).click();
    const ship = page.getByRole('dialog', { name: L.orders.fulfilment.shipTitle });
    await ship.getByLabel(L.orders.fulfilment.carrier).fill('An Post');
    await ship.getByLabel(L.orders.fulfilment.trackingNumber).fill('RR#123');
    await ship.getByRole('button', { name: L.orders.fulfilment.markShipped }).click();
    await expect(ship.getByRole('alert')).toHaveText(L.orders.fulfilment.trackingHelp); // not a tracking number: said, not sent
    await ship.getByLabel(L.orders.fulfilment.trackingNumber).fill('RR 123 456 789 IE');
    await ship.getByRole('button', { name: L.orders.fulfilment.markShipped }).click();
    await expect(ship).toBeHidden();
    await expect(delivery.locator('[aria-current="step"]')).toContainText(L.orders.fulfilment.states.shipped);
    await expect(delivery.getByTestId('tracking-number')).toHaveText('RR123456789IE');
    const audit = main.getByRole('region', { name: L.orders.audit.title });
    await expect(audit).toContainText(L.orders.audit.actions.fulfilment.shipped);
    await expect(audit).toContainText('RR123456789IE');
    await delivery.scrollIntoViewIfNeeded();
    await shot('orders-3-shipped');

    await delivery.getByRole('button', { name: L.orders.fulfilment.packingSlip }).click();
    const slip = page.getByRole('dialog', { name: L.orders.slip.title });
    await expect(slip.locator('.packing-slip')).toContainText('12 Harbour Road');
    await expect(slip.locator('.packing-slip')).toContainText(product.name);
    await shot('orders-4-packing-slip');
    await slip.getByRole('button', { name: L.common.close, exact: true }).click();

    const stored = await till.call('orders.search', { number });
    expect(stored.ok && stored.value.orders[0]?.fulfilment).toBe('shipped');

    // Back to the list, filtered to shipped deliveries: just ours.
    await main.getByRole('button', { name: new RegExp(L.orders.backToList) }).click();
    await main.getByLabel(L.orders.filters.number).fill('');
    await main.getByLabel(L.orders.filters.delivery).selectOption({ label: L.orders.fulfilment.states.shipped });
    await expect(list.getByRole('button')).toHaveCount(1);
    await expect(list.getByRole('button').first()).toContainText(number);
    await shot('orders-5-shipped-filter');

    // From the order to its customer, and the complaint resolved.
    await list.getByRole('button').first().click();
    await main.getByRole('button', { name: 'Aoife Murphy' }).click();
    await expect(main.getByRole('heading', { level: 1 })).toHaveText(L.customers.title);
    await main.getByRole('button', { name: L.notes.resolve }).click();
    const resolve = page.getByRole('dialog', { name: L.notes.resolveTitle });
    await resolve.getByLabel(L.notes.resolution).fill('Refunded the milk and apologised.');
    await resolve.getByRole('button', { name: L.notes.resolve }).click();
    await expect(resolve).toBeHidden();
    await expect(main.locator('.note-card')).toContainText('Refunded the milk and apologised.');
    await expect(main.locator('.note-card')).toContainText(L.notes.statuses.resolved);
    await shot('customers-4-resolved');

    await main.getByRole('tab', { name: L.notes.inbox }).click();
    await main.getByRole('button', { name: L.notes.statuses.resolved, exact: true }).click();
    await expect(main.locator('.note-card')).toHaveCount(1);
    await shot('customers-5-inbox');

    const notes = await till.call('note.list', { status: 'open' });
    expect(notes.ok && notes.value.notes).toEqual([]);
    expect(till.pageErrors).toEqual([]);
  });
}
