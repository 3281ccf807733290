/** Test support for stocktakes: a shop on a clock the test moves, stock put on the shelf, sales at the till. */
import { writeSettings } from '../../db/settings.ts';
import { recordMovement } from '../../db/stock.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop, signIn } from './till.ts';

export type ClockShop = ReturnType<typeof makeClockShop>;

/**
 * makeShop on a clock that only moves when the test says so (starting 2025-03-03 09:00 UTC),
 * with the idle lock off so minutes can pass between calls. Milk and bread are Dairy &
 * Bakery, soap is Household; apples carry the item code 2212345 for weight labels.
 */
export function makeClockShop(options: { dir?: string } = {}) {
  let clock = Date.parse('2025-03-03T09:00:00.000Z');
  const shop = makeShop({ ...options, now: () => new Date(clock) });
  writeSettings(shop.till.store, { idleLockSeconds: 0 });
  const { db } = shop.till;
  const category = (name: string) => {
    const id = uuidv7();
    db.prepare('INSERT INTO category (id, name) VALUES (?, ?)').run(id, name);
    return id;
  };
  const food = category('Dairy & Bakery');
  const household = category('Household');
  const { milk, bread, soap, apples } = shop.products;
  const setCategory = db.prepare('UPDATE product SET category_id = ?, cost = ? WHERE id = ?');
  setCategory.run(food, 120, milk);
  setCategory.run(food, 200, bread);
  setCategory.run(household, 150, soap);
  setCategory.run(food, 180, apples);
  db.prepare("INSERT INTO barcode (code, product_id) VALUES ('2212345', ?)").run(apples);
  return {
    ...shop,
    categories: { food, household },
    /** The till's clock now, as stored. */
    now: () => new Date(clock).toISOString(),
    /** Moves the clock on by whole minutes and returns the new time. */
    later(minutes = 1): string {
      clock += minutes * 60_000;
      return new Date(clock).toISOString();
    },
  };
}

/** Goods on the shelf: a goods-in movement of `quantity` thousandths, dated now. */
export function putOnShelf(shop: ClockShop, productId: string, quantity: number): void {
  shop.till.db.transaction(() =>
    recordMovement(shop.till, {
      productId,
      locationId: 'shop',
      kind: 'goods_in',
      quantity,
      reason: 'test delivery',
      staffId: shop.manager,
    }),
  )();
}

/** The cashier rings up one product and takes cash: the sale's stock movement is dated now. */
export async function sell(shop: ClockShop, productId: string, quantity: number): Promise<Order> {
  const who = shop.till.session.staffId;
  signIn(shop.till, shop.cashier);
  await shop.ok('sale.addItem', { productId, quantity });
  const open = await shop.ok<Order>('sale.current', {});
  const done = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: open.total }] });
  if (who) signIn(shop.till, who);
  return done;
}

export function onHand(shop: ClockShop, productId: string): number {
  const row = shop.till.db
    .prepare("SELECT on_hand AS n FROM stock_level WHERE product_id = ? AND location_id = 'shop'")
    .get(productId) as { n: number } | undefined;
  return row?.n ?? 0;
}

export function rowCount(shop: ClockShop, table: string): number {
  return (shop.till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/**
 * A big count for the benchmark-style test: `size` more products, each with stock and one
 * count entry, written straight to the store in one transaction (arranging, not the
 * subject). Returns the stocktake id.
 */
export function bulkCount(shop: ClockShop, size: number): { stocktakeId: string; productIds: string[] } {
  const { db } = shop.till;
  const stocktakeId = uuidv7();
  const productIds: string[] = [];
  db.transaction(() => {
    const product = db.prepare(
      "INSERT INTO product (id, sku, name, price, tax_class_id, cost, updated_at) VALUES (?, ?, ?, 100, ?, ?, '2025-01-01T00:00:00.000Z')",
    );
    for (let i = 0; i < size; i++) {
      const id = uuidv7();
      productIds.push(id);
      product.run(id, `BULK-${i}`, `Bulk item ${i}`, shop.standard, 10 + (i % 90));
      recordMovement(shop.till, { productId: id, locationId: 'shop', kind: 'goods_in', quantity: 20_000, staffId: null });
    }
    db.prepare(
      `INSERT INTO stocktake (id, location_id, scope, device_id, started_by, started_at) VALUES (?, 'shop', 'products', ?, ?, ?)`,
    ).run(stocktakeId, shop.till.deviceId, shop.manager, shop.now());
    const item = db.prepare('INSERT INTO stocktake_item (stocktake_id, product_id) VALUES (?, ?)');
    const entry = db.prepare(
      `INSERT INTO stocktake_count (id, stocktake_id, product_id, quantity, source, staff_id, device_id, counted_at, hlc)
       VALUES (?, ?, ?, ?, 'typed', ?, ?, ?, ?)`,
    );
    productIds.forEach((id, i) => {
      item.run(stocktakeId, id);
      entry.run(
        uuidv7(),
        stocktakeId,
        id,
        1000 * (15 + (i % 10)),
        shop.manager,
        shop.till.deviceId,
        shop.now(),
        shop.till.nextHlc(),
      );
    });
  })();
  return { stocktakeId, productIds };
}
