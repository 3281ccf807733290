/**
 * The server's stock (DESIGN.md §6): deltas from many tills never overwrite each other,
 * stores keep their own stock, and timestamped counts make a late sale dated before a
 * count change that count's variance, not the on-hand after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  call,
  countOp,
  enrolRaw,
  goodsInOp,
  onHand,
  pushBody,
  type RawDevice,
  saleOp,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;

describe.each(backends())('server stock on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const push = async (device: RawDevice, ops: unknown[]) => {
    const reply = await call(server.url, '/v1/sync/push', device.token, pushBody(device, ops));
    expect(reply.status).toBe(200);
    expect((reply.body.results as { status: string }[]).every((r) => r.status === 'applied')).toBe(true);
    return reply;
  };
  const count = async (ref: string, productId: string) =>
    (
      await server.db.query<{ ledger_before: number; variance: number; counted: number }>(
        'SELECT ledger_before, variance, counted FROM stock_count WHERE id = $1',
        [`${ref}/shop/${productId}`],
      )
    ).rows[0];

  it('a sale dated before a count that arrives after it changes the variance, not the new on-hand', async () => {
    const store = await server.store(`s${++stores}`);
    const a = await enrolRaw(server, store);
    const b = await enrolRaw(server, store);
    const p = uuid();
    await push(a, [goodsInOp(1, p, 10_000, at('10:00'))]);
    // Till B sells one at 10:30 while offline. Till A counts 9 on the shelf at 11:00.
    const lateSale = saleOp(1, [{ productId: p }], at('10:30'));
    await push(a, [countOp(2, 'st-1', [{ productId: p, counted: 9000, countedAt: at('11:00') }])]);
    expect(await count('st-1', p)).toEqual({ ledger_before: 10_000, variance: -1000, counted: 9000 });
    expect(await onHand(server.db, store, p)).toBe(9000);
    await push(a, [saleOp(3, [{ productId: p, quantity: 2000 }], at('11:30'))]);
    expect(await onHand(server.db, store, p)).toBe(7000);
    // B comes online: its 10:30 sale explains the shortfall; on-hand after the count stands.
    await push(b, [lateSale]);
    expect(await count('st-1', p)).toEqual({ ledger_before: 9000, variance: 0, counted: 9000 });
    expect(await onHand(server.db, store, p)).toBe(7000);
    // A sale dated after the count does move on-hand.
    await push(b, [saleOp(2, [{ productId: p }], at('11:45'))]);
    expect(await onHand(server.db, store, p)).toBe(6000);
    // The same stocktake pushed again (another seq, same lines) changes nothing.
    await push(a, [countOp(4, 'st-1', [{ productId: p, counted: 9000, countedAt: at('11:00') }])]);
    expect(await onHand(server.db, store, p)).toBe(6000);
    expect(await server.ledger()).toEqual([]);
  });

  it('a count older than one already held re-anchors the later count and leaves on-hand alone', async () => {
    const store = await server.store(`s${++stores}`);
    const a = await enrolRaw(server, store);
    const p = uuid();
    await push(a, [
      goodsInOp(1, p, 10_000, at('09:00')),
      saleOp(2, [{ productId: p }], at('10:30')),
      countOp(3, 'late', [{ productId: p, counted: 8000, countedAt: at('12:00') }]),
      saleOp(4, [{ productId: p }], at('12:30')),
    ]);
    expect(await count('late', p)).toEqual({ ledger_before: 9000, variance: -1000, counted: 8000 });
    expect(await onHand(server.db, store, p)).toBe(7000);
    // An earlier stocktake (11:00: 9.5 counted) arrives after the later one.
    await push(a, [countOp(5, 'early', [{ productId: p, counted: 9500, countedAt: at('11:00') }])]);
    expect(await count('early', p)).toEqual({ ledger_before: 9000, variance: 500, counted: 9500 });
    expect(await count('late', p)).toEqual({ ledger_before: 9500, variance: -1500, counted: 8000 });
    expect(await onHand(server.db, store, p)).toBe(7000);
    expect(await server.ledger()).toEqual([]);
  });

  it('two offline tills selling the last unit both keep their sale; stock goes negative and is flagged', async () => {
    const store = await server.store(`s${++stores}`);
    const a = await enrolRaw(server, store);
    const b = await enrolRaw(server, store);
    const p = uuid();
    await push(a, [goodsInOp(1, p, 1000, at('08:00'))]);
    const saleA = saleOp(2, [{ productId: p }], at('09:00'));
    const saleB = saleOp(1, [{ productId: p }], at('09:01'));
    await Promise.all([push(a, [saleA]), push(b, [saleB])]);
    expect(await onHand(server.db, store, p)).toBe(-1000);
    const orders = await server.db.query('SELECT id FROM orders WHERE id = ANY($1::text[])', [
      [saleA.payload.order.id, saleB.payload.order.id],
    ]);
    expect(orders.rowCount).toBe(2);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/^tilldesk_negative_stock_levels (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(await server.ledger()).toEqual([]);
  });

  it('keeps each store its own stock of a chain-wide product', async () => {
    const north = await server.store(`s${++stores}`);
    const south = await server.store(`s${++stores}`);
    const n = await enrolRaw(server, north);
    const s = await enrolRaw(server, south);
    const p = uuid();
    await push(n, [goodsInOp(1, p, 5000), saleOp(2, [{ productId: p }])]);
    await push(s, [goodsInOp(1, p, 3000), saleOp(2, [{ productId: p, quantity: 2000 }])]);
    expect(await onHand(server.db, north, p)).toBe(4000);
    expect(await onHand(server.db, south, p)).toBe(1000);
    expect(await server.ledger()).toEqual([]);
  });

  it('the ledger check finds a level that does not match its ledger', async () => {
    const store = await server.store(`s${++stores}`);
    const a = await enrolRaw(server, store);
    const p = uuid();
    await push(a, [goodsInOp(1, p, 5000)]);
    await server.db.query('UPDATE stock_level SET on_hand = on_hand + 1 WHERE store_id = $1 AND product_id = $2', [store, p]);
    try {
      expect(await server.ledger()).toEqual([
        { what: 'on_hand', storeId: store, locationId: 'shop', productId: p, countId: null, held: 5001, expected: 5000 },
      ]);
    } finally {
      await server.db.query('UPDATE stock_level SET on_hand = on_hand - 1 WHERE store_id = $1 AND product_id = $2', [store, p]);
    }
    expect(await server.ledger()).toEqual([]);
  });
});
