/**
 * Real tills (SQLite in temp folders, their sync clients) against a real server over HTTP
 * on 127.0.0.1, through a TCP proxy that can cut connections. Each fault ends with:
 * nothing lost, nothing applied twice, stock = ledger, on the till and on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalog, revokeDevice } from '../../server/admin-ops.ts';
import { type Db, openPostgres } from '../../server/db.ts';
import type { SyncOpRow, SyncStatus } from '../../shared/sync.ts';
import { backends, backupServer, onHand, pgUrl, startTestServer, type TestServer } from '../server/harness.ts';
import { startProxy, type TcpProxy } from '../server/tcp-proxy.ts';
import {
  assertConverged,
  catalogCsv,
  enrolTill,
  outboxOps,
  productId,
  receive,
  type SyncedTill,
  shown,
  syncedTill,
} from './support.ts';

describe.each(backends())('tills syncing with a server on %s', (backend) => {
  let server: TestServer;
  let proxy: TcpProxy;
  const tills: SyncedTill[] = [];
  let stores = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    proxy = await startProxy(server.port);
    await importCatalog(server.db, catalogCsv(['MILK', 'BREAD', 'SOAP', 'LAST']));
  }, 60_000);
  afterAll(async () => {
    for (const t of tills) t.close();
    await proxy?.close();
    await server?.close();
  });

  async function newTill(storeId: string): Promise<SyncedTill> {
    const t = syncedTill({ client: { random: () => 0.5 } });
    tills.push(t);
    const status = await enrolTill(t, proxy.url, await server.code(storeId));
    expect(status).toMatchObject({ enrolled: true, state: 'idle', online: true, waiting: 0 });
    return t;
  }
  it('enrols, pulls the catalog, and pushes a sale; the indicator hears every change', async () => {
    const store = await server.store(`a${++stores}`);
    const t = await newTill(store);
    expect(productId(t, 'MILK')).toBeTruthy();
    const sale = await t.sell(productId(t, 'MILK'));
    expect(t.waiting()).toBe(1);
    const status = await t.sync();
    expect(status).toMatchObject({ state: 'idle', waiting: 0, rejected: 0, lastError: null });
    const order = await server.db.query<{ number: string }>('SELECT number FROM orders WHERE id = $1', [sale.id]);
    expect(order.rows[0]?.number).toBe(sale.number);
    expect(t.statusEvents.some((e) => e.waiting === 1)).toBe(true);
    expect(t.statusEvents.at(-1)).toMatchObject({ online: true, waiting: 0, lastError: null });
    await assertConverged(server, t);
  });

  it("two tills in one store see each other's sales in stock; another store keeps its own", async () => {
    const store = await server.store(`b${++stores}`);
    const other = await server.store(`c${stores}`);
    const a = await newTill(store);
    const b = await newTill(store);
    const c = await newTill(other);
    await receive(a, 'BREAD', 10_000);
    await receive(c, 'BREAD', 4000);
    await a.sell(productId(a, 'BREAD'), 2000);
    await a.sync();
    await b.sell(productId(b, 'BREAD'), 1000);
    await b.sync();
    await a.sync();
    expect(await shown(a, 'BREAD')).toBe(7000);
    expect(await shown(b, 'BREAD')).toBe(7000);
    expect(await onHand(server.db, store, productId(a, 'BREAD'))).toBe(7000);
    await c.sync();
    expect(await shown(c, 'BREAD')).toBe(4000);
    // Offline sales show at once on their own till: server level + own unsynced movements.
    await proxy.stop();
    try {
      await b.sell(productId(b, 'BREAD'), 1000);
      const offline = await b.sync();
      expect(offline).toMatchObject({ state: 'offline', online: false, waiting: 1 });
      expect(offline.lastError?.reason).toBe('server_unreachable');
      expect(await shown(b, 'BREAD')).toBe(6000);
      expect(await shown(a, 'BREAD')).toBe(7000);
    } finally {
      await proxy.start();
    }
    expect(await b.sync()).toMatchObject({ state: 'idle', online: true, waiting: 0 });
    await a.sync();
    expect(await shown(a, 'BREAD')).toBe(6000);
    for (const t of [a, b, c]) await assertConverged(server, t);
  });

  it('two offline tills selling the last unit both keep their sale; the level goes to −1 everywhere', async () => {
    const store = await server.store(`d${++stores}`);
    const a = await newTill(store);
    const b = await newTill(store);
    await receive(a, 'LAST', 1000);
    await a.sync();
    await b.sync();
    await proxy.stop();
    try {
      await a.sell(productId(a, 'LAST'));
      await b.sell(productId(b, 'LAST'));
      expect((await a.sync()).waiting).toBe(1);
      expect((await b.sync()).waiting).toBe(1);
    } finally {
      await proxy.start();
    }
    await a.sync();
    await b.sync();
    await a.sync();
    expect(await onHand(server.db, store, productId(a, 'LAST'))).toBe(-1000);
    expect(await shown(a, 'LAST')).toBe(-1000);
    expect(await shown(b, 'LAST')).toBe(-1000);
    await assertConverged(server, a);
    await assertConverged(server, b);
  });

  it('a reply lost after the server committed is settled by the retry, once', async () => {
    const store = await server.store(`e${++stores}`);
    const t = await newTill(store);
    for (let i = 0; i < 3; i++) await t.sell(productId(t, 'SOAP'));
    const cut = proxy.cutNextResponse('POST /v1/sync/push');
    const failed = await t.sync();
    await cut;
    expect(failed.lastError?.reason).toBe('server_unreachable');
    expect(failed.waiting).toBe(3);
    // The server did apply them.
    const applied = await server.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM applied_op a JOIN device d ON d.id = a.device_id WHERE d.store_id = $1 AND a.status = 'applied'",
      [store],
    );
    expect(applied.rows[0]?.n).toBe(3);
    expect(await t.sync()).toMatchObject({ state: 'idle', waiting: 0 });
    expect(await onHand(server.db, store, productId(t, 'SOAP'))).toBe(-3000);
    await assertConverged(server, t);
  });

  it('a revoked till gets 401, keeps its outbox and says so; enrolled anew it pushes everything once', async () => {
    const store = await server.store(`f${++stores}`);
    const t = await newTill(store);
    await t.sell(productId(t, 'MILK'));
    await t.sync();
    const before = (await t.ok<SyncStatus>('sync.status', {})).deviceId ?? '';
    await revokeDevice(server.db, before);
    await t.sell(productId(t, 'MILK'));
    const revoked = await t.sync();
    expect(revoked).toMatchObject({ state: 'revoked', waiting: 1 });
    expect(revoked.lastError?.reason).toBe('device_revoked');
    expect(t.statusEvents.at(-1)?.lastError?.reason).toBe('device_revoked');
    const waiting = await t.ok<SyncOpRow[]>('sync.ops', { status: 'waiting' });
    expect(waiting.map((o) => o.type)).toEqual(['sale.completed']);
    // Still halted on the next try: nothing is lost by retrying, nothing is sent.
    expect((await t.sync()).waiting).toBe(1);
    const again = await enrolTill(t, proxy.url, await server.code(store));
    expect(again).toMatchObject({ state: 'idle', waiting: 0 });
    expect(again.deviceId).not.toBe(before);
    expect(await onHand(server.db, store, productId(t, 'MILK'))).toBe(-2000);
    const duplicates = await server.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM applied_op WHERE device_id = $1 AND duplicate',
      [again.deviceId],
    );
    expect(duplicates.rows[0]?.n).toBeGreaterThanOrEqual(1);
    await assertConverged(server, t);
  });

  it('an op the server rejects shows in the sync list and does not block the queue', async () => {
    const store = await server.store(`g${++stores}`);
    const t = await newTill(store);
    const { appendOp } = await import('../../db/outbox.ts');
    t.till.db.transaction(() => appendOp(t.till, 'loyalty.points_added', { points: 5 }))();
    await t.sell(productId(t, 'MILK'));
    const status = await t.sync();
    expect(status).toMatchObject({ waiting: 0, rejected: 1 });
    const rejected = await t.ok<SyncOpRow[]>('sync.ops', { status: 'rejected' });
    expect(rejected).toHaveLength(1);
    expect(JSON.parse(rejected[0]?.error ?? '{}').reason).toBe('unknown_op_type');
    expect((await t.ok<SyncOpRow[]>('sync.ops', { status: 'applied' }))[0]?.summary).toMatch(/^T01-/);
    await assertConverged(server, t);
  });

  it('backs off exponentially with jitter while the server is unreachable', async () => {
    const now = new Date('2026-05-01T09:00:00.000Z');
    const t = syncedTill({
      now: () => now,
      client: { random: () => 0.5, baseDelayMs: 1000, background: true, pollMs: 3_600_000 },
    });
    tills.push(t);
    const store = await server.store(`h${++stores}`);
    await enrolTill(t, proxy.url, await server.code(store));
    await proxy.stop();
    try {
      const delays: number[] = [];
      for (let i = 0; i < 5; i++) {
        const status = await t.sync();
        expect(status.state).toBe('offline');
        delays.push(Date.parse(status.nextAttemptAt ?? '') - now.getTime());
      }
      // ceiling 1 s, 2 s, 4 s, … ; jitter picks between half the ceiling and all of it (0.5 → ¾).
      expect(delays).toEqual([750, 1500, 3000, 6000, 12_000]);
    } finally {
      await proxy.start();
    }
    expect((await t.sync()).state).toBe('idle');
    await t.client.stop();
  });

  it('waits at least as long as the server asks (Retry-After) before pushing again', async () => {
    const now = new Date('2026-05-01T09:00:00.000Z');
    // The real server, except that the first push is answered the way a busy server answers
    // (429 with Retry-After: 90): this is the reply, not a timing, under test.
    let refused = false;
    const busyOnce: typeof fetch = async (input, init) => {
      if (!refused && String(input).endsWith('/v1/sync/push')) {
        refused = true;
        const body = { error: { reason: 'rate_limited', message: 'Slow down' } };
        return new Response(JSON.stringify(body), { status: 429, headers: { 'retry-after': '90' } });
      }
      return fetch(input, init);
    };
    const t = syncedTill({
      now: () => now,
      client: { random: () => 0.5, baseDelayMs: 1000, background: true, pollMs: 3_600_000, fetch: busyOnce },
    });
    tills.push(t);
    const store = await server.store(`r${++stores}`);
    await enrolTill(t, proxy.url, await server.code(store));
    await t.sell(productId(t, 'MILK'));
    const status = await t.sync();
    expect(status.lastError).toMatchObject({ reason: 'rate_limited' });
    expect(Date.parse(status.nextAttemptAt ?? '') - now.getTime()).toBe(90_000); // not the 750 ms backoff
    expect((await t.sync()).waiting).toBe(0);
    await t.client.stop();
  });

  it('pushes in the background after a sale, and after an op that comes without a stock event', async () => {
    const store = await server.store(`i${++stores}`);
    const t = syncedTill({ client: { background: true, nudgeDelayMs: 0, pollMs: 3_600_000, watchMs: 50 } });
    tills.push(t);
    await enrolTill(t, proxy.url, await server.code(store));
    const drained = () =>
      new Promise<void>((resolve) => {
        const off = t.api.subscribe('sync.status', (e) => {
          if (e.waiting === 0 && t.waiting() === 0) {
            off();
            resolve();
          }
        });
      });
    let done = drained();
    await t.sell(productId(t, 'SOAP'));
    await done;
    expect(t.statusEvents.some((e) => e.waiting === 1)).toBe(true);
    done = drained();
    const { appendOp } = await import('../../db/outbox.ts');
    t.till.db.transaction(() => appendOp(t.till, 'shift.cash_movement', { amount: 500 }))();
    await done;
    const held = await server.db.query<{ type: string }>(
      'SELECT a.type FROM applied_op a JOIN device d ON d.id = a.device_id WHERE d.store_id = $1 ORDER BY a.seq',
      [store],
    );
    expect(held.rows.map((r) => r.type)).toEqual(['sale.completed', 'shift.cash_movement']);
    await t.client.stop();
  });

  it('re-pushes what a server restored from a backup lost (new epoch), exactly once', async () => {
    const store = await server.store(`r${++stores}`);
    const t = await newTill(store);
    await receive(t, 'MILK', 20_000);
    await t.sell(productId(t, 'MILK'));
    await t.sync();
    const { server: running, restore } = await backupServer(server);
    server = running;
    proxy.setTarget(server.port);
    for (let i = 0; i < 3; i++) await t.sell(productId(t, 'MILK'));
    expect((await t.sync()).waiting).toBe(0);
    // Disaster: the database is restored from the backup (without the last 3 sales) and marked.
    server = await restore();
    proxy.setTarget(server.port);
    const { newEpoch } = await import('../../server/admin-ops.ts');
    const epoch = await newEpoch(server.db);
    expect(await onHand(server.db, store, productId(t, 'MILK'))).toBe(19_000);
    const status = await t.sync();
    expect(status).toMatchObject({ state: 'idle', waiting: 0, epoch });
    expect(await onHand(server.db, store, productId(t, 'MILK'))).toBe(16_000);
    expect(await shown(t, 'MILK')).toBe(16_000);
    await assertConverged(server, t);
  });
});

// PostgreSQL stopped mid-push: only against a real PostgreSQL server. Every connection the
// sync server has to it goes through a TCP proxy; stopping the proxy inside the push
// transaction (just before COMMIT) is, to the server, PostgreSQL going away.
if (pgUrl) {
  describe('PostgreSQL stopped mid-push', () => {
    let pgProxy: TcpProxy;
    let server: TestServer;
    let direct: Db;
    beforeAll(async () => {
      server = await startTestServer('postgres', {
        connectVia: async (url) => {
          const target = new URL(url);
          pgProxy = await startProxy(Number(target.port || 5432));
          direct = openPostgres(url);
          target.port = String(pgProxy.port);
          return target.toString();
        },
      });
      await importCatalog(server.db, catalogCsv(['PG1']));
    }, 60_000);
    afterAll(async () => {
      await pgProxy?.start().catch(() => {});
      await direct?.close();
      await server?.close();
      await pgProxy?.close();
    });

    it('answers 503, keeps nothing of the batch, and takes the retry once PostgreSQL is back', async () => {
      const store = await server.store('pg');
      const t = syncedTill();
      try {
        await enrolTill(t, server.url, await server.code(store));
        for (let i = 0; i < 5; i++) await t.sell(productId(t, 'PG1'));
        let stopped = false;
        server.hooks.beforeCommit = async () => {
          if (stopped) return;
          stopped = true;
          await pgProxy.stop();
        };
        const failed = await t.sync();
        expect(stopped).toBe(true);
        expect(failed).toMatchObject({ waiting: 5 });
        expect(failed.lastError?.reason).toBe('temporarily_unavailable');
        const ready = await fetch(`${server.url}/health/ready`);
        expect(ready.status).toBe(503);
        const held = await direct.query<{ n: number }>('SELECT count(*)::int AS n FROM applied_op');
        expect(held.rows[0]?.n).toBe(0);
        await pgProxy.start();
        expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
        expect(await t.sync()).toMatchObject({ state: 'idle', waiting: 0 });
        const ops = outboxOps(t);
        const applied = await direct.query<{ op_id: string }>(
          "SELECT op_id::text FROM applied_op WHERE status = 'applied' ORDER BY seq",
        );
        expect(applied.rows.map((r) => r.op_id)).toEqual(ops.map((o) => o.op_id));
        expect(await onHand(direct, store, productId(t, 'PG1'))).toBe(-5000);
        expect(await server.ledger()).toEqual([]);
      } finally {
        server.hooks.beforeCommit = undefined;
        t.close();
      }
    });
  });
} else {
  console.log(
    'TILLDESK_TEST_PG_URL is not set: the "PostgreSQL stopped mid-push" test needs a real PostgreSQL and was not defined',
  );
}
