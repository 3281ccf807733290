import { afterEach, describe, expect, it } from 'vitest';
import { checkLedger, type NewMovement, recordMovements } from '../../db/stock.ts';
import type { StockLevel, StockMovement } from '../../shared/stock.ts';
import { makeShop, signIn } from '../support/till.ts';

let shop: ReturnType<typeof makeShop>;
afterEach(() => shop?.close());

const count = (table: string) => (shop.till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('the stock ledger', () => {
  it('receives goods with costs, adjusts with reasons and transfers, keeping on-hand equal to the ledger', async () => {
    shop = makeShop();
    signIn(shop.till, shop.manager);
    shop.till.db.prepare("INSERT INTO location (id, name) VALUES ('back', 'Back room')").run();
    const { milk, bread } = shop.products;
    await shop.ok('stock.receive', {
      supplier: 'Dairy Co',
      reference: 'INV-778',
      lines: [
        { productId: milk, quantity: 24000, unitCost: 95 },
        { productId: bread, quantity: 10000, unitCost: 180 },
      ],
    });
    await shop.ok('stock.adjust', { productId: milk, quantity: -2000, reason: 'damaged', note: 'Dropped crate' });
    await shop.ok('stock.transfer', { productId: milk, from: 'shop', to: 'back', quantity: 5000 });
    const levels = await shop.ok<StockLevel[]>('stock.levels', { productId: milk });
    expect(levels.map((l) => [l.locationId, l.onHand])).toEqual([
      ['shop', 17000],
      ['back', 5000],
    ]);
    const history = await shop.ok<StockMovement[]>('stock.movements', { productId: milk });
    expect(history.map((m) => [m.kind, m.quantity])).toEqual([
      ['transfer', 5000],
      ['transfer', -5000],
      ['adjustment', -2000],
      ['goods_in', 24000],
    ]);
    expect(history[2]).toMatchObject({ reason: 'damaged: Dropped crate', staffName: 'Max Manager' });
    expect((shop.till.db.prepare('SELECT cost FROM product WHERE id = ?').get(milk) as { cost: number }).cost).toBe(95);
    expect(await shop.ok('stock.check', {})).toEqual([]);
    expect(count('outbox')).toBe(3);
    expect(count('audit')).toBe(3);
  });

  it('needs a manager for adjustments, refuses bad input and writes nothing when refused', async () => {
    shop = makeShop();
    const { milk } = shop.products;
    const before = [count('stock_movement'), count('audit'), count('outbox')];
    expect((await shop.fails('stock.adjust', { productId: milk, quantity: 1000, reason: 'found' })).reason).toBe('needs_manager');
    expect((await shop.fails('stock.adjust', { productId: milk, quantity: 0, reason: 'found' })).code).toBe('invalid_input');
    expect((await shop.fails('stock.adjust', { productId: milk, quantity: 1000, reason: 'lost-it' })).code).toBe('invalid_input');
    expect((await shop.fails('stock.receive', { supplier: 'X', lines: [] })).code).toBe('invalid_input');
    expect(
      (await shop.fails('stock.receive', { supplier: 'X', lines: [{ productId: milk, quantity: 1000, unitCost: -5 }] })).code,
    ).toBe('invalid_input');
    signIn(shop.till, shop.manager);
    expect((await shop.fails('stock.adjust', { productId: 'ghost', quantity: 1000, reason: 'found' })).reason).toBe(
      'unknown_product',
    );
    expect((await shop.fails('stock.transfer', { productId: milk, from: 'shop', to: 'shop', quantity: 1000 })).reason).toBe(
      'same_location',
    );
    expect((await shop.fails('stock.transfer', { productId: milk, from: 'shop', to: 'moon', quantity: 1000 })).reason).toBe(
      'unknown_location',
    );
    expect([count('stock_movement'), count('audit'), count('outbox')]).toEqual(before);
  });

  it('finds any on-hand figure that disagrees with the ledger', async () => {
    shop = makeShop();
    signIn(shop.till, shop.manager);
    await shop.ok('stock.adjust', { productId: shop.products.soap, quantity: 3000, reason: 'found' });
    expect(checkLedger(shop.till)).toEqual([]);
    shop.till.db.prepare('UPDATE stock_level SET on_hand = 999 WHERE product_id = ?').run(shop.products.soap);
    expect(checkLedger(shop.till)).toEqual([{ productId: shop.products.soap, locationId: 'shop', onHand: 999, ledger: 3000 }]);
  });

  it('records many movements at once: every ledger row, one on-hand change per product and location, stamps in order', () => {
    shop = makeShop();
    shop.till.db.prepare("INSERT INTO location (id, name) VALUES ('back', 'Back room')").run();
    const { milk, bread, soap } = shop.products;
    const products = [milk, bread, soap, milk];
    // 70 movements: more than one statement writes, each product and location many times over.
    const list: NewMovement[] = Array.from({ length: 70 }, (_, i) => ({
      productId: products[i % products.length] ?? milk,
      locationId: i % 5 === 0 ? 'back' : 'shop',
      kind: 'adjustment',
      quantity: (i % 3) * 1000 - 1000,
      reason: `line ${i}`,
      staffId: shop.manager,
    }));
    const written = shop.till.db.transaction(() => recordMovements(shop.till, list))();
    expect(written.map((m) => [m.productId, m.locationId, m.quantity, m.reason])).toEqual(
      list.map((m) => [m.productId, m.locationId, m.quantity, m.reason]),
    );
    expect(new Set(written.map((m) => m.id)).size).toBe(70);
    for (let i = 1; i < written.length; i++) expect((written[i]?.hlc ?? '') > (written[i - 1]?.hlc ?? '')).toBe(true);
    const stored = shop.till.db
      .prepare(
        'SELECT id, product_id AS productId, location_id AS locationId, quantity, reason, hlc FROM stock_movement ORDER BY hlc',
      )
      .all();
    expect(stored).toEqual(
      written.map((m) => ({
        id: m.id,
        productId: m.productId,
        locationId: m.locationId,
        quantity: m.quantity,
        reason: m.reason,
        hlc: m.hlc,
      })),
    );
    expect(checkLedger(shop.till)).toEqual([]);
    const onHand = (productId: string, locationId: string) =>
      (
        shop.till.db
          .prepare('SELECT on_hand AS n FROM stock_level WHERE product_id = ? AND location_id = ?')
          .get(productId, locationId) as { n: number } | undefined
      )?.n;
    for (const productId of [milk, bread, soap]) {
      for (const locationId of ['shop', 'back']) {
        const sum = list
          .filter((m) => m.productId === productId && m.locationId === locationId)
          .reduce((total, m) => total + m.quantity, 0);
        expect(onHand(productId, locationId)).toBe(sum);
      }
    }
    expect(shop.till.db.transaction(() => recordMovements(shop.till, []))()).toEqual([]);
  });
});
