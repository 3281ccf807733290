/**
 * A browser tab outlives its host: the host is killed and started again on the same address
 * (a till's fixed port), and the open Stock screen keeps catching up with stock moved
 * elsewhere without a reload, because the event stream comes back by itself.
 */
import { en } from '../../renderer/src/i18n/en.ts';
import { expect, test } from './fixtures.ts';
import { signIn } from './steps.ts';

test('the Stock screen keeps catching up after the host restarts on the same address', async ({ till, page }) => {
  const demo = await till.call('setup.demo', { products: 50, language: 'en' });
  expect(demo.ok).toBe(true);
  const staff = await till.call('staff.list', {});
  const owner = staff.ok ? staff.value.find((s) => s.role === 'owner') : undefined;
  if (!owner) throw new Error('no owner');
  await till.call('staff.signIn', { staffId: owner.id, pin: '1234' });
  const found = await till.call('catalog.search', { query: 'Milk', limit: 5 });
  const product = found.ok ? found.value.find((p) => p.unit === 'each') : undefined;
  if (!product) throw new Error('no product sold each');
  const receive = async (quantity: number) => {
    const done = await till.call('stock.receive', {
      supplier: 'Dairy Co',
      lines: [{ productId: product.id, quantity: quantity * 1000, unitCost: 50 }],
    });
    if (!done.ok) throw new Error(JSON.stringify(done.error));
  };

  await till.call('staff.signOut', {});
  await page.goto(till.url);
  await signIn(page, owner.name, '1234');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: en.nav.stock, exact: true }).click();
  // The search applies itself shortly after typing: wait for that list read to be answered.
  const listed = page.waitForResponse((r) => r.url().endsWith('/api/op/stockList.count'));
  await page.locator('#sk-search').fill(product.sku);
  await listed;
  const row = page.locator(`button[data-id="${product.id}"]`);
  await expect(row).toBeVisible();

  // Before: goods in elsewhere shows up on the open screen.
  await receive(7);
  const before = await till.call('stock.levels', { productId: product.id });
  const onHand = (r: typeof before) => (r.ok ? r.value.reduce((n, l) => n + l.onHand, 0) / 1000 : Number.NaN);
  await expect(row).toContainText(String(onHand(before)));

  // The tab's event stream is back once it has read the sync light afresh (it does on reconnecting).
  const reconnected = page.waitForResponse((r) => r.url().endsWith('/api/op/sync.status'), { timeout: 15_000 });
  await till.restart({ navigate: false, samePort: true });
  await reconnected;
  // The host's sign-in went with it; the manager signs in again at another window.
  const again = await till.call('staff.signIn', { staffId: owner.id, pin: '1234' });
  expect(again.ok).toBe(true);

  // After: the same tab, never reloaded, hears of the next delivery.
  await receive(5);
  const after = await till.call('stock.levels', { productId: product.id });
  expect(onHand(after)).toBe(onHand(before) + 5);
  await expect(row).toContainText(String(onHand(after)), { timeout: 15_000 });
  await page.screenshot({ path: 'test-results/screenshots/en/stock-after-host-restart.png' });
  expect(till.pageErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|network/i.test(e))).toEqual([]);
});
