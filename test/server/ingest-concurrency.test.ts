/**
 * Many tills pushing at once (DESIGN.md §6, issue 7): a batch locks all its stock rows in
 * one sorted statement, so twenty tills selling the same products in opposite orders wait
 * for each other but never deadlock (no 503), and every level ends equal to its ledger.
 * And the batch path's fallback: an op PostgreSQL refuses inside a batch written with
 * multi-row statements is rejected alone, the rest applied, the queue advanced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  call,
  enrolRaw,
  goodsInOp,
  onHand,
  pushBody,
  type RawDevice,
  saleOp,
  serverFacts,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

describe.each(backends())('ingest on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const push = (device: RawDevice, ops: unknown[]) => call(server.url, '/v1/sync/push', device.token, pushBody(device, ops));

  it('20 tills selling the same products in opposite orders at once: no deadlock, no 503, levels = ledger', async () => {
    const store = await server.store(`many-${++stores}`);
    const products = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}-${uuid().slice(0, 8)}`);
    const tills = await Promise.all(Array.from({ length: 20 }, () => enrolRaw(server, store)));
    const batches = 4;
    const opsPerBatch = 5;
    // Till i sells every product in each sale, half the tills in ascending order and half in
    // descending, one unit more per product index so each level's sum is distinct.
    const sold = new Map<string, number>();
    const plans = tills.map((_, i) => {
      const order = i % 2 === 0 ? products : [...products].reverse();
      return Array.from({ length: batches }, (_, b) =>
        Array.from({ length: opsPerBatch }, (_, o) => {
          const lines = order.map((productId) => ({ productId, quantity: 1000 * (1 + products.indexOf(productId)) }));
          for (const l of lines) sold.set(l.productId, (sold.get(l.productId) ?? 0) + l.quantity);
          return saleOp(b * opsPerBatch + o + 1, lines, new Date().toISOString(), `till-${i}`);
        }),
      );
    });
    const statuses: number[] = [];
    await Promise.all(
      tills.map(async (device, i) => {
        for (const batch of plans[i] ?? []) {
          const reply = await push(device, batch);
          statuses.push(reply.status);
          expect(reply.body.error).toBeUndefined();
          expect((reply.body.results as { status: string }[]).map((r) => r.status)).toEqual(batch.map(() => 'applied'));
        }
      }),
    );
    expect(statuses).toEqual(Array.from({ length: tills.length * batches }, () => 200));
    for (const productId of products) expect(await onHand(server.db, store, productId)).toBe(-(sold.get(productId) ?? 0));
    const held = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM applied_op WHERE device_id = ANY($1::text[])',
      [tills.map((t) => t.deviceId)],
    );
    expect(held.rows[0]?.n).toBe(tills.length * batches * opsPerBatch);
    const facts = await serverFacts(server.db);
    expect(facts.distinctOps).toBe(facts.appliedOps);
    expect(facts.ledger).toEqual([]);
  }, 120_000);

  it('a stocktake pushed while 10 tills sell the same products: stock = ledger, the count sees every sale dated before it', async () => {
    const store = await server.store(`count-${++stores}`);
    const products = Array.from({ length: 6 }, () => uuid());
    const counter = await enrolRaw(server, store);
    const tills = await Promise.all(Array.from({ length: 10 }, () => enrolRaw(server, store)));
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();
    const stocked = await push(
      counter,
      products.map((p, i) => goodsInOp(i + 1, p, 100_000, at(0))),
    );
    expect(stocked.status).toBe(200);
    // Sales on both sides of the count (10:00 + 30 min), pushed while the count goes up.
    const sales = tills.map((_, i) =>
      Array.from({ length: 4 }, (_, b) =>
        Array.from({ length: 5 }, (_, o) =>
          saleOp(
            b * 5 + o + 1,
            (i % 2 ? [...products].reverse() : products).map((productId) => ({ productId })),
            at(10 + ((i + b * 5 + o) % 40)),
            `till-${i}`,
          ),
        ),
      ),
    );
    const count = {
      seq: products.length + 1,
      opId: uuid(),
      type: 'stocktake.applied',
      payload: {
        ref: `st-${uuid()}`,
        lines: products.map((productId) => ({ productId, locationId: 'shop', counted: 90_000, countedAt: at(30) })),
      },
      occurredAt: at(30),
      hlc: `${String(Date.parse(at(30))).padStart(15, '0')}-000001-counter`,
    };
    const replies = await Promise.all([
      push(counter, [count]),
      ...tills.map(async (device, i) => {
        for (const batch of sales[i] ?? []) {
          const reply = await push(device, batch);
          expect(reply.status).toBe(200);
        }
      }),
    ]);
    expect((replies[0] as { status: number }).status).toBe(200);
    // Each product: 200 sales of one unit, those dated at or before 10:30 explain the count.
    const dated = sales.flat(2).map((op) => op.occurredAt);
    const before = dated.filter((d) => d <= at(30)).length;
    const after = dated.length - before;
    for (const productId of products) {
      expect(await onHand(server.db, store, productId)).toBe(90_000 - after * 1000);
      const line = await server.db.query<{ ledger_before: number; variance: number }>(
        'SELECT ledger_before, variance FROM stock_count WHERE store_id = $1 AND product_id = $2',
        [store, productId],
      );
      expect(line.rows).toEqual([{ ledger_before: 100_000 - before * 1000, variance: 90_000 - (100_000 - before * 1000) }]);
    }
    expect(await server.ledger()).toEqual([]);
  }, 120_000);

  it('one batch holding a count and sales dated on both sides of it, in either order', async () => {
    for (const countFirst of [true, false]) {
      const store = await server.store(`mixed-${++stores}`);
      const device = await enrolRaw(server, store);
      const product = uuid();
      const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;
      await push(device, [goodsInOp(1, product, 10_000, at('10:00'))]);
      const count = {
        opId: uuid(),
        type: 'stocktake.applied',
        payload: {
          ref: `st-${uuid()}`,
          lines: [{ productId: product, locationId: 'shop', counted: 9000, countedAt: at('11:00') }],
        },
        occurredAt: at('11:00'),
        hlc: `${String(Date.parse(at('11:00'))).padStart(15, '0')}-000001-x`,
      };
      const early = saleOp(0, [{ productId: product }], at('10:30'));
      const late = saleOp(0, [{ productId: product, quantity: 2000 }], at('11:30'));
      const ops = (countFirst ? [count, early, late] : [early, late, count]).map((op, i) => ({ ...op, seq: i + 2 }));
      const reply = await push(device, ops);
      expect((reply.body.results as { status: string }[]).map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
      // The 10:30 sale explains the count's shortfall; the 11:30 one moves on-hand after it.
      const line = await server.db.query('SELECT ledger_before, variance FROM stock_count WHERE store_id = $1', [store]);
      expect(line.rows).toEqual([{ ledger_before: 9000, variance: 0 }]);
      expect(await onHand(server.db, store, product)).toBe(7000);
      // A sale dated before the count arriving in a later batch still goes to the count.
      await push(device, [saleOp(5, [{ productId: product }], at('10:45'))]);
      expect(await onHand(server.db, store, product)).toBe(7000);
      expect((await server.db.query('SELECT variance FROM stock_count WHERE store_id = $1', [store])).rows).toEqual([
        { variance: 1000 },
      ]);
      expect(await server.ledger()).toEqual([]);
    }
  });

  it('a batch with an op PostgreSQL refuses (a NUL character) rejects that op alone and stores the rest once', async () => {
    const store = await server.store(`nul-${++stores}`);
    const device = await enrolRaw(server, store);
    const product = uuid();
    // Valid JSON and valid to the op's schema; PostgreSQL's text and jsonb take no NUL.
    const poison = saleOp(3, [{ productId: product }]);
    (poison.payload.movements[0] as { reason: string | null }).reason = 'bad\u0000byte';
    const second = saleOp(2, [{ productId: product }]);
    const ops = [
      goodsInOp(1, product, 10_000),
      second,
      poison,
      saleOp(4, [{ productId: product, quantity: 2000 }]),
      {
        seq: 5,
        opId: uuid(),
        type: 'note.opened',
        payload: { id: uuid(), category: 'other', body: 'also \u0000 here', createdAt: new Date().toISOString() },
        occurredAt: new Date().toISOString(),
        hlc: `${String(Date.now()).padStart(15, '0')}-000009-x`,
      },
      saleOp(6, [{ productId: product }]),
    ];
    const reply = await push(device, ops);
    expect(reply.status).toBe(200);
    const results = reply.body.results as { seq: number; status: string; error?: { reason: string } }[];
    expect(results.map((r) => [r.seq, r.status])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'rejected'],
      [4, 'applied'],
      [5, 'rejected'],
      [6, 'applied'],
    ]);
    expect(results[2]?.error?.reason).toBe('invalid_data');
    expect(reply.body.lastSeq).toBe(6);
    // 10 in, 1 + 2 + 1 sold; nothing of the refused sale (its order neither).
    expect(await onHand(server.db, store, product)).toBe(6000);
    expect((await server.db.query('SELECT 1 FROM orders WHERE id = $1', [poison.payload.order.id])).rowCount).toBe(0);
    const stored = await server.db.query<{ seq: number; status: string; payload: unknown }>(
      'SELECT seq::int AS seq, status, payload FROM applied_op WHERE device_id = $1 ORDER BY seq',
      [device.deviceId],
    );
    expect(stored.rows.map((r) => [r.seq, r.status])).toEqual(results.map((r) => [r.seq, r.status]));
    // A payload PostgreSQL cannot hold is kept as null; the others whole.
    expect(stored.rows[2]?.payload).toBeNull();
    expect(stored.rows[1]?.payload).toMatchObject({ order: { id: second.payload.order.id } });
    // The same batch again: the stored answers, nothing applied twice.
    const again = await push(device, ops);
    expect(again.body).toEqual(reply.body);
    expect(await onHand(server.db, store, product)).toBe(6000);
    expect(await server.ledger()).toEqual([]);
  });

  it('a catalog edit refused inside a batch of sales (SKU taken) is rejected alone', async () => {
    const store = await server.store(`sku-${++stores}`);
    const device = await enrolRaw(server, store);
    const product = uuid();
    const tax = uuid();
    const sku = `SKU-${uuid().slice(0, 8)}`;
    const stamp = (n: number) => `${String(Date.now()).padStart(15, '0')}-00000${n}-x`;
    const save = (seq: number, id: string) => ({
      seq,
      opId: uuid(),
      type: 'catalog.product_saved',
      payload: {
        id,
        sku,
        name: `Item ${seq}`,
        barcodes: [],
        categoryId: null,
        unit: 'each',
        price: 100,
        taxClassId: tax,
        cost: null,
        reorderPoint: 0,
        active: true,
        updatedAt: new Date().toISOString(),
      },
      occurredAt: new Date().toISOString(),
      hlc: stamp(seq),
    });
    const reply = await push(device, [
      save(1, product),
      saleOp(2, [{ productId: product }]),
      save(3, uuid()),
      saleOp(4, [{ productId: product }]),
    ]);
    const results = reply.body.results as { status: string; error?: { reason: string } }[];
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied']);
    expect(results[2]?.error?.reason).toBe('sku_taken');
    expect(await onHand(server.db, store, product)).toBe(-2000);
    const owners = await server.db.query<{ id: string }>('SELECT id FROM product WHERE sku = $1', [sku]);
    expect(owners.rows).toEqual([{ id: product }]);
    expect(await server.ledger()).toEqual([]);
  });
});
