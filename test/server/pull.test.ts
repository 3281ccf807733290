/**
 * Pull (DESIGN.md §6): catalog, per-store prices and stock levels after a cursor, paged;
 * a cursor that never skips a late-committing row; 409 + snapshot when the cursor is too
 * old, ahead, or from another epoch; catalog edits from tills settled by HLC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalog, newEpoch, resetPulls } from '../../server/admin-ops.ts';
import type { PullReply } from '../../shared/sync.ts';
import {
  backends,
  call,
  enrolRaw,
  goodsInOp,
  pushBody,
  type RawDevice,
  saleOp,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

const csv = (rows: number, prefix: string) =>
  [
    'sku,name,barcodes,category,unit,price,tax_class,cost,active',
    ...Array.from(
      { length: rows },
      (_, i) => `${prefix}-${i},Item ${prefix} ${i},,Dairy,each,1.${String(i % 100).padStart(2, '0')},VAT 20%,0.50,1`,
    ),
  ].join('\n');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends())('pull on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  async function pull(device: RawDevice, cursor?: string, limit = 500) {
    const query = new URLSearchParams({ schemaVersion: '2', limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return call(server.url, `/v1/sync/pull?${query}`, device.token) as Promise<{
      status: number;
      body: PullReply & { error?: { reason: string } };
    }>;
  }
  async function pullAll(device: RawDevice, cursor?: string, limit = 500) {
    const pages: PullReply[] = [];
    let next = cursor;
    for (;;) {
      const page = await pull(device, next, limit);
      expect(page.status).toBe(200);
      pages.push(page.body);
      next = page.body.cursor;
      if (!page.body.more) return { pages, cursor: next };
    }
  }

  it('pages the catalog and per-store prices, and then only what changed', async () => {
    const north = await server.store(`n${++stores}`);
    const south = await server.store(`s${stores}`);
    const prefix = uuid().slice(0, 8);
    await importCatalog(server.db, csv(25, prefix));
    await importCatalog(server.db, `sku,price\n${prefix}-3,9.99`, { storeId: north });
    const n = await enrolRaw(server, north);
    const s = await enrolRaw(server, south);
    const { pages, cursor } = await pullAll(n, undefined, 10);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[0]?.snapshot).toBe(true);
    const products = pages.flatMap((p) => p.products).filter((p) => p.sku.startsWith(prefix));
    expect(new Set(products.map((p) => p.sku)).size).toBe(25);
    expect(products.find((p) => p.sku === `${prefix}-3`)?.price).toBe(999);
    // Every page carries what its products refer to.
    for (const page of pages) {
      for (const p of page.products) {
        expect(page.taxClasses.map((t) => t.id)).toContain(p.taxClassId);
        if (p.categoryId) expect(page.categories.map((c) => c.id)).toContain(p.categoryId);
      }
    }
    const southProducts = (await pullAll(s)).pages.flatMap((p) => p.products);
    expect(southProducts.find((p) => p.sku === `${prefix}-3`)?.price).toBe(103);
    // Nothing new: an empty page. Then one sale: just its stock row.
    const quiet = await pull(n, cursor);
    expect(quiet.body.products).toEqual([]);
    expect(quiet.body.stock).toEqual([]);
    const product = products[0]?.id ?? '';
    await call(
      server.url,
      '/v1/sync/push',
      n.token,
      pushBody(n, [goodsInOp(1, product, 4000), saleOp(2, [{ productId: product }])]),
    );
    const after = await pull(n, cursor);
    expect(after.body.stock).toEqual([{ productId: product, locationId: 'shop', onHand: 3000 }]);
    expect(after.body.lastSeq).toBe(2);
    expect((await pull(s, cursor)).body.stock).toEqual([]);
  });

  it('settles catalog edits from tills by hybrid logical clock, whatever order they arrive in', async () => {
    const store = await server.store(`c${++stores}`);
    const a = await enrolRaw(server, store);
    const b = await enrolRaw(server, store);
    const id = uuid();
    const tax = uuid();
    const edit = (seq: number, name: string, wall: number, device: string) => ({
      seq,
      opId: uuid(),
      type: 'catalog.product_saved',
      payload: {
        id,
        sku: `LWW-${id.slice(0, 6)}`,
        name,
        barcodes: [],
        categoryId: null,
        unit: 'each',
        price: 100,
        taxClassId: tax,
        cost: null,
        reorderPoint: 0,
        active: true,
        updatedAt: new Date(wall).toISOString(),
      },
      occurredAt: new Date(wall).toISOString(),
      hlc: `${String(wall).padStart(15, '0')}-000000-${device}`,
    });
    const taxOp = {
      seq: 1,
      opId: uuid(),
      type: 'catalog.tax_class_saved',
      payload: { id: tax, name: 'Zero', rateBp: 0 },
      occurredAt: new Date().toISOString(),
      hlc: `${String(Date.now()).padStart(15, '0')}-000000-a`,
    };
    await call(server.url, '/v1/sync/push', a.token, pushBody(a, [taxOp, edit(2, 'Newer name', 2_000_000_000_000, 'a')]));
    await call(server.url, '/v1/sync/push', b.token, pushBody(b, [edit(1, 'Older name', 1_900_000_000_000, 'b')]));
    const { pages } = await pullAll(b);
    expect(pages.flatMap((p) => p.products).find((p) => p.id === id)?.name).toBe('Newer name');
  });

  it('answers 409 snapshot_required for another epoch, a reset, or a cursor from the future', async () => {
    const store = await server.store(`e${++stores}`);
    const a = await enrolRaw(server, store);
    const { cursor } = await pullAll(a);
    const [epoch, change] = cursor.split('.');
    const ahead = await pull(a, `${epoch}.${Number(change) + 1000}.0`);
    expect(ahead.status).toBe(409);
    expect(ahead.body.error?.reason).toBe('snapshot_required');
    expect((await pull(a, 'garbage')).status).toBe(400);
    await resetPulls(server.db);
    const old = await pull(a, cursor);
    expect(old.status).toBe(409);
    // A snapshot then carries on normally.
    const fresh = await pullAll(a);
    expect((await pull(a, fresh.cursor)).status).toBe(200);
    const previous = a.epoch;
    await newEpoch(server.db);
    try {
      const restored = await pull(a, fresh.cursor);
      expect(restored.status).toBe(409);
      expect(restored.body.error?.reason).toBe('snapshot_required');
    } finally {
      await server.db.query('UPDATE server_state SET epoch = $1', [previous]);
    }
  });

  it('never lets a cursor pass a row whose transaction commits late', async () => {
    const store = await server.store(`l${++stores}`);
    const a = await enrolRaw(server, store);
    const b = await enrolRaw(server, store);
    const reader = await enrolRaw(server, store);
    const { cursor } = await pullAll(reader);
    const pa = uuid();
    const pb = uuid();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    server.hooks.beforeCommit = async (deviceId) => {
      if (deviceId !== a.deviceId) return;
      entered();
      await gate;
    };
    try {
      // A's push has written its stock change and taken its change id, and has not committed.
      const pushA = call(server.url, '/v1/sync/push', a.token, pushBody(a, [goodsInOp(1, pa, 1000)]));
      await inside;
      // B's push, started later, would commit first if change ids were not handed out in commit order.
      const pushB = call(server.url, '/v1/sync/push', b.token, pushBody(b, [goodsInOp(1, pb, 1000)]));
      await sleep(300);
      const during = pull(reader, cursor);
      await sleep(300);
      release();
      const [ra, rb, duringPage] = await Promise.all([pushA, pushB, during]);
      expect(ra.status).toBe(200);
      expect(rb.status).toBe(200);
      const seen = (page: PullReply) => page.stock.map((s) => s.productId);
      const first = seen(duringPage.body);
      if (backend === 'postgres') expect(first).toEqual([]); // neither had committed when it read
      if (first.includes(pb)) expect(first).toContain(pa);
      const rest = (await pullAll(reader, duringPage.body.cursor)).pages.flatMap(seen);
      expect(new Set([...first, ...rest])).toEqual(new Set([pa, pb]));
    } finally {
      server.hooks.beforeCommit = undefined;
      release();
    }
  });
});
