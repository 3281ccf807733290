/** What the store says about updates: is a sale open (the installer waits), and the browser-mode defaults. */
import { afterEach, describe, expect, it } from 'vitest';
import { saleInProgress } from '../../db/update.ts';
import { makeShop, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop;
afterEach(() => shop?.close());

describe('updates and the open sale', () => {
  it('counts a sale with lines as open; an empty, parked or completed one not', async () => {
    shop = makeShop();
    expect(saleInProgress(shop.till)).toBe(false);
    await shop.ok('sale.addItem', { productId: shop.products.soap });
    expect(saleInProgress(shop.till)).toBe(true);
    await shop.ok('sale.park', {});
    expect(saleInProgress(shop.till)).toBe(false);
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    expect(saleInProgress(shop.till)).toBe(true);
    const total = (shop.till.db.prepare("SELECT total FROM orders WHERE state = 'open'").get() as { total: number }).total;
    await shop.ok('sale.complete', { tenders: [{ kind: 'cash', amount: total }] });
    expect(saleInProgress(shop.till)).toBe(false);
  });

  it('without the desktop app updates are unsupported and cannot be installed', async () => {
    shop = makeShop();
    expect(await shop.ok('update.status', {})).toMatchObject({ state: 'unsupported', available: null });
    expect(await shop.fails('update.install', {})).toMatchObject({ code: 'forbidden' }); // a cashier
    signIn(shop.till, shop.manager);
    expect(await shop.fails('update.install', {})).toMatchObject({ code: 'unavailable', reason: 'updates_desktop_only' });
  });
});
