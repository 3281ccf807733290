/**
 * Model-based test (fast-check): 2–4 real tills (SQLite stores in temp folders, their sync
 * clients) in one store, against a real server over HTTP, doing random sales, refunds,
 * catalog edits, restarts and syncs that cannot reach the server, whose replies are dropped
 * after the server committed, duplicated, or delivered again late. However it goes, after everyone syncs: empty
 * outboxes, every op on the server exactly once, stock and catalog converged, stock = ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/stock.ts';
import { applyPushReply } from '../../db/sync.ts';
import { importCatalog } from '../../server/admin-ops.ts';
import type { Product } from '../../shared/catalog.ts';
import type { Order } from '../../shared/sale.ts';
import type { PushReply, SyncedStockLevel, SyncStatus } from '../../shared/sync.ts';
import { backends, startTestServer, type TestServer } from '../server/harness.ts';
import { signIn } from '../support/till.ts';
import { catalogCsv, enrolTill, outboxOps, productId, type SyncedTill, syncedTill } from './support.ts';

const skus = ['M1', 'M2', 'M3'];
const numRuns = Number(process.env.TILLDESK_MODEL_RUNS ?? 8);

interface Harness {
  dir: string;
  t: SyncedTill;
  fault: 'offline' | 'drop' | 'duplicate' | null;
  /** A push reply kept back, delivered again later. */
  stale: PushReply | null;
}
interface Real {
  server: TestServer;
  tills: Harness[];
  steps: number;
}
interface Model {
  tills: number;
}

/** Faults on the wire, per till: the push goes through, what comes back is changed. */
function faultyFetch(h: Harness): typeof fetch {
  return async (input, init) => {
    const fault = h.fault;
    if (!String(input).includes('/v1/sync/push') || !fault) {
      const response = await fetch(input, init);
      if (String(input).includes('/v1/sync/push') && response.status === 200) {
        const text = await response.text();
        h.stale = JSON.parse(text) as PushReply;
        return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return response;
    }
    h.fault = null;
    if (fault === 'offline') throw new TypeError('fetch failed: the server could not be reached');
    if (fault === 'drop') {
      await (await fetch(input, init)).text();
      throw new TypeError('fetch failed: the reply was lost after the server committed');
    }
    const [first, second] = await Promise.all([fetch(input, init), fetch(input, init)]);
    await first.text();
    return second;
  };
}

function open(h: Harness): SyncedTill {
  return syncedTill({ dir: h.dir, client: { fetch: faultyFetch(h), maxBatchOps: 4 } });
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Sell implements Cmd {
  readonly till: number;
  readonly sku: number;
  readonly units: number;
  constructor(till: number, sku: number, units: number) {
    this.till = till;
    this.sku = sku;
    this.units = units;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const { t } = r.tills[this.till] as Harness;
    await t.sell(productId(t, skus[this.sku] ?? ''), this.units * 1000);
    r.steps++;
  }
  toString = () => `sell(${this.till}, ${skus[this.sku]}, ${this.units})`;
}

class Refund implements Cmd {
  readonly till: number;
  constructor(till: number) {
    this.till = till;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const { t } = r.tills[this.till] as Harness;
    const line = t.till.db
      .prepare(
        `SELECT o.id AS orderId, l.id AS lineId FROM orders o JOIN order_line l ON l.order_id = o.id
         WHERE o.kind = 'sale' AND o.state IN ('completed', 'partially_refunded')
           AND l.quantity > coalesce((SELECT sum(r.quantity) FROM order_line r WHERE r.original_line_id = l.id), 0)
         ORDER BY o.completed_at DESC LIMIT 1`,
      )
      .get() as { orderId: string; lineId: string } | undefined;
    if (line) {
      await t.ok<Order>('sale.refund', {
        orderId: line.orderId,
        lines: [{ lineId: line.lineId, quantity: 1000 }],
        reason: 'Changed mind',
        override: { staffId: t.manager, pin: '2222' },
      });
    }
    r.steps++;
  }
  toString = () => `refund(${this.till})`;
}

class EditPrice implements Cmd {
  readonly till: number;
  readonly sku: number;
  readonly price: number;
  constructor(till: number, sku: number, price: number) {
    this.till = till;
    this.sku = sku;
    this.price = price;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const { t } = r.tills[this.till] as Harness;
    signIn(t.till, t.manager);
    try {
      const p = await t.ok<Product>('catalog.product', { id: productId(t, skus[this.sku] ?? '') });
      const { onHand: _, updatedAt: __, ...record } = p;
      await t.ok('catalog.saveProduct', { ...record, price: this.price });
    } finally {
      signIn(t.till, t.cashier);
    }
    r.steps++;
  }
  toString = () => `price(${this.till}, ${skus[this.sku]}, ${this.price})`;
}

class Sync implements Cmd {
  readonly till: number;
  readonly fault: Harness['fault'];
  constructor(till: number, fault: Harness['fault']) {
    this.till = till;
    this.fault = fault;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const h = r.tills[this.till] as Harness;
    h.fault = this.fault;
    await h.t.sync();
    h.fault = null;
    r.steps++;
  }
  toString = () => `sync(${this.till}${this.fault ? `, ${this.fault}` : ''})`;
}

class LateReply implements Cmd {
  readonly till: number;
  constructor(till: number) {
    this.till = till;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const h = r.tills[this.till] as Harness;
    if (h.stale) applyPushReply(h.t.till, h.stale);
    r.steps++;
  }
  toString = () => `lateReply(${this.till})`;
}

class Restart implements Cmd {
  readonly till: number;
  constructor(till: number) {
    this.till = till;
  }
  check = (m: Readonly<Model>) => this.till < m.tills;
  async run(_m: Model, r: Real) {
    const h = r.tills[this.till] as Harness;
    await h.t.client.stop();
    h.t.close();
    h.t = open(h);
    r.steps++;
  }
  toString = () => `restart(${this.till})`;
}

const till = fc.integer({ min: 0, max: 3 });
const commands = [
  fc.tuple(till, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 })).map(([t, s, u]) => new Sell(t, s, u)),
  till.map((t) => new Refund(t)),
  fc.tuple(till, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 999 })).map(([t, s, p]) => new EditPrice(t, s, p)),
  fc.tuple(till, fc.constantFrom<Harness['fault']>(null, null, 'offline', 'drop', 'duplicate')).map(([t, f]) => new Sync(t, f)),
  till.map((t) => new LateReply(t)),
  till.map((t) => new Restart(t)),
];

describe.each(backends())('model-based sync on %s', (backend) => {
  let server: TestServer;
  let runs = 0;
  let steps = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
    await importCatalog(server.db, catalogCsv(skus));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    console.log(`[model test, ${backend}] ${runs} runs, ${steps} steps checked`);
  });

  it('converges with every op applied once, whatever the faults', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.commands(commands, { maxCommands: 40, size: 'large' }),
        async (count, cmds) => {
          const store = await server.store(`m${runs}-${Math.random().toString(36).slice(2, 8)}`);
          const real: Real = { server, tills: [], steps: 0 };
          try {
            for (let i = 0; i < count; i++) {
              const h: Harness = {
                dir: mkdtempSync(join(tmpdir(), 'tilldesk-')),
                t: undefined as unknown as SyncedTill,
                fault: null,
                stale: null,
              };
              h.t = open(h);
              await enrolTill(h.t, server.url, await server.code(store));
              real.tills.push(h);
            }
            await fc.asyncModelRun(() => ({ model: { tills: count }, real }), cmds);
            // Everyone syncs twice: the second round brings each till what the others pushed in the first.
            for (let round = 0; round < 2; round++) {
              for (const h of real.tills)
                expect(await h.t.sync()).toMatchObject<Partial<SyncStatus>>({ state: 'idle', waiting: 0 });
            }
            await assertConverged(real, store);
            runs++;
            steps += real.steps;
          } finally {
            for (const h of real.tills) {
              await h.t.client.stop();
              h.t.close();
              rmSync(h.dir, { recursive: true, force: true });
            }
          }
        },
      ),
      { numRuns },
    );
  }, 120_000);

  async function assertConverged(real: Real, store: string) {
    const movements = new Map<string, number>();
    for (const h of real.tills) {
      const { t } = h;
      expect(checkLedger(t.till)).toEqual([]);
      const ops = outboxOps(t);
      expect(ops.filter((o) => o.status !== 'applied')).toEqual([]);
      const deviceId = (await t.ok<SyncStatus>('sync.status', {})).deviceId;
      const held = await server.db.query<{ seq: number; op_id: string }>(
        'SELECT seq, op_id::text FROM applied_op WHERE device_id = $1 ORDER BY seq',
        [deviceId],
      );
      expect(held.rows.map((r) => [Number(r.seq), r.op_id])).toEqual(ops.map((o) => [o.seq, o.op_id]));
      for (const m of t.till.db.prepare('SELECT product_id AS p, quantity AS q FROM stock_movement').all() as {
        p: string;
        q: number;
      }[]) {
        movements.set(m.p, (movements.get(m.p) ?? 0) + m.q);
      }
    }
    const levels = await server.db.query<{ product_id: string; on_hand: number }>(
      'SELECT product_id, on_hand FROM stock_level WHERE store_id = $1',
      [store],
    );
    const serverLevels = new Map(levels.rows.map((r) => [r.product_id, Number(r.on_hand)]));
    expect(serverLevels).toEqual(movements);
    const prices = await server.db.query<{ sku: string; price: number }>(
      'SELECT sku, price FROM product WHERE sku = ANY($1::text[]) ORDER BY sku',
      [skus],
    );
    for (const h of real.tills) {
      for (const sku of skus) {
        const id = productId(h.t, sku);
        const shown = (await h.t.ok<SyncedStockLevel[]>('sync.stock', { productId: id })).find(
          (l) => l.locationId === 'shop',
        )?.shown;
        expect(shown).toBe(serverLevels.get(id) ?? 0);
      }
      const tillPrices = h.t.till.db.prepare('SELECT sku, price FROM product WHERE sku IN (?, ?, ?) ORDER BY sku').all(...skus);
      expect(tillPrices).toEqual(prices.rows.map((r) => ({ sku: r.sku, price: Number(r.price) })));
    }
    const dupes = await server.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM (SELECT op_id FROM applied_op WHERE status = 'applied' AND NOT duplicate GROUP BY op_id HAVING count(*) > 1) d",
    );
    expect(dupes.rows[0]?.n).toBe(0);
    expect(await server.ledger()).toEqual([]);
  }
});
