/**
 * Graceful shutdown (issue 8, item 4), with the server as production runs it (`node
 * server/main.ts` in its own process) and real HTTP. On SIGTERM: readiness goes 503 first,
 * new requests get 503 with Retry-After (or connection refused once the listener closed),
 * pushes in flight finish and get their reply, the process exits 0. A push still stuck at
 * the bound is cut: no reply and nothing of it in the database; pushed again after a
 * restart it is applied exactly once.
 *
 * On PostgreSQL the pushes are held in flight for certain: the test locks their device rows
 * from its own connection, so each push waits inside its transaction until the test lets go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnrolmentCode, createStore } from '../../server/admin-ops.ts';
import { type Db, migrate, openPglite, openPostgres } from '../../server/db.ts';
import { syncSchemaVersion } from '../../shared/sync.ts';
import {
  backends,
  freshPostgresDatabase,
  pgliteTemplate,
  pushBody,
  type RawDevice,
  type RawReply,
  rawRequest,
  type ServerProcess,
  saleOp,
  serverFacts,
  startServerProcess,
} from './harness.ts';

const products = Array.from({ length: 12 }, (_, i) => `shutdown-product-${i}`);

/** A batch of sales as a till queues them: seqs from 1, 1–5 lines over a shared set of products. */
function batch(ops: number, lines: number) {
  return Array.from({ length: ops }, (_, i) =>
    saleOp(
      i + 1,
      Array.from({ length: lines }, (_, l) => ({ productId: products[(i * 7 + l * 5) % products.length] ?? 'p' })),
    ),
  );
}

type Outcome = RawReply | { status: 0; code: string };

/** A request that may find no server: a refused or cut connection is an outcome, not a throw. */
async function attempt(url: string, path: string, options: Parameters<typeof rawRequest>[2] = {}): Promise<Outcome> {
  try {
    return await rawRequest(url, path, options);
  } catch (error) {
    return { status: 0, code: String((error as NodeJS.ErrnoException).code ?? (error as Error).message) };
  }
}

const pushAs = (server: ServerProcess, device: RawDevice, ops: unknown[]) =>
  attempt(server.url, '/v1/sync/push', { authorization: `Bearer ${device.token}`, body: pushBody(device, ops) });

async function enrol(server: ServerProcess, code: string): Promise<RawDevice> {
  const reply = await rawRequest(server.url, '/v1/sync/enrol', {
    body: { code, deviceName: 'Till', installId: crypto.randomUUID(), schemaVersion: syncSchemaVersion, firstSeq: 1 },
  });
  if (reply.status !== 200) throw new Error(`enrol failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { ...(reply.body as unknown as RawDevice), url: server.url };
}

/** The database a server process runs on, and a way in for the test (PGlite: only while no server runs). */
interface Database {
  env: NodeJS.ProcessEnv;
  use<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

async function database(backend: 'pglite' | 'postgres'): Promise<Database> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  if (backend === 'postgres') {
    const fresh = await freshPostgresDatabase();
    env.DATABASE_URL = fresh.url;
    const db = openPostgres(fresh.url, { max: 2 });
    await migrate(db);
    return {
      env,
      use: (fn) => fn(db),
      async drop() {
        await db.close();
        await fresh.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-shutdown-'));
  env.TILLDESK_SERVER_DATA = join(dir, 'db');
  const lite = await PGlite.create({ dataDir: env.TILLDESK_SERVER_DATA, loadDataDir: await pgliteTemplate() });
  await lite.close();
  return {
    env,
    async use(fn) {
      const db = await openPglite(env.TILLDESK_SERVER_DATA);
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function appliedOps(db: Db, deviceId: string): Promise<{ ops: number; lastSeq: number }> {
  const row = (
    await db.query<{ ops: number; last_seq: number }>(
      `SELECT (SELECT count(*)::int FROM applied_op WHERE device_id = $1 AND status = 'applied') AS ops,
              (SELECT last_seq FROM device WHERE id = $1) AS last_seq`,
      [deviceId],
    )
  ).rows[0];
  return { ops: row?.ops ?? -1, lastSeq: Number(row?.last_seq ?? -1) };
}

/**
 * Waits until `count` sessions of this database wait on a lock: the pushes are inside their
 * transactions. Fails at once when a push was answered instead.
 */
async function waitForLockWaiters(
  admin: pg.Client,
  databaseName: string,
  count: number,
  pushes: Promise<Outcome>[],
): Promise<void> {
  let answered: Outcome | undefined;
  for (const push of pushes)
    void push.then((outcome) => {
      answered ??= outcome;
    });
  for (let i = 0; i < 600; i++) {
    if (answered) throw new Error(`a push was answered while its device row was locked: ${JSON.stringify(answered)}`);
    // Inside the lock's transaction the activity view is one snapshot unless cleared.
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const n = Number(
      (
        await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [
          databaseName,
        ])
      ).rows[0]?.n,
    );
    if (n >= count) return;
    await sleep(50);
  }
  const sessions = await admin.query(
    'SELECT state, wait_event_type, wait_event, left(query, 100) AS query FROM pg_stat_activity WHERE datname = $1',
    [databaseName],
  );
  throw new Error(`${count} pushes never reached the database: ${JSON.stringify(sessions.rows)}`);
}

const results = (outcome: Outcome) =>
  (outcome.status === 200 ? (outcome as RawReply).body.results : undefined) as { status: string }[] | undefined;

describe.each(backends())('graceful shutdown of the server process on %s', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function setUp(codes: number) {
    const db = await database(backend);
    cleanups.push(() => db.drop());
    const made = await db.use(async (d) => {
      await createStore(d, { id: 'north', name: 'North Street' });
      const list: string[] = [];
      for (let i = 0; i < codes; i++) list.push((await createEnrolmentCode(d, 'north')).code);
      return list;
    });
    return { db, codes: made };
  }

  async function start(db: Database, env: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess({ ...db.env, ...env });
    cleanups.push(async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    });
    return server;
  }

  if (backend === 'postgres') {
    it('finishes every push in flight, refuses new ones with 503 + Retry-After, goes not-ready first, exits 0', async () => {
      const { db, codes } = await setUp(4);
      const server = await start(db, { TILLDESK_DRAIN_DELAY_MS: '4000', TILLDESK_SHUTDOWN_TIMEOUT_MS: '60000' });
      const tills: RawDevice[] = [];
      for (const code of codes) tills.push(await enrol(server, code));
      const [late, ...busy] = tills as [RawDevice, ...RawDevice[]];
      const batches = busy.map(() => batch(50, 3));

      const admin = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await admin.connect();
      try {
        await admin.query('BEGIN');
        await admin.query('SELECT 1 FROM device WHERE id = ANY($1) FOR UPDATE', [busy.map((t) => t.deviceId)]);
        const inFlight = busy.map((till, i) => pushAs(server, till, batches[i] ?? []));
        await waitForLockWaiters(admin, new URL(db.env.DATABASE_URL ?? '').pathname.slice(1), busy.length, inFlight);

        const signalled = performance.now();
        server.child.kill('SIGTERM');
        let ready = await attempt(server.url, '/health/ready');
        for (let i = 0; i < 100 && ready.status === 200; i++) ready = await attempt(server.url, '/health/ready');
        expect(ready.status).toBe(503);
        expect((ready as RawReply).body).toMatchObject({ ok: false, draining: true });
        // Liveness stays up: the process is healthy, only leaving.
        expect((await attempt(server.url, '/health/live')).status).toBe(200);
        const refused = await pushAs(server, late, batch(5, 1));
        expect(refused.status).toBe(503);
        expect((refused as RawReply).body.error?.reason).toBe('shutting_down');
        expect(Number((refused as RawReply).headers['retry-after'])).toBeGreaterThan(0);
        expect((refused as RawReply).headers.connection).toBe('close');

        await admin.query('COMMIT'); // let the pushes in flight go on
        const replies = await Promise.all(inFlight);
        for (const reply of replies) {
          expect(reply.status).toBe(200);
          expect(results(reply)?.map((r) => r.status)).toEqual(Array(50).fill('applied'));
          expect((reply as RawReply).body.lastSeq).toBe(50);
        }
        expect(await server.exited).toBe(0);
        console.log(
          `shutdown with ${busy.length} pushes in flight: exit 0 after ${((performance.now() - signalled) / 1000).toFixed(1)} s`,
        );
        expect(server.logs.some((l) => l.includes('"msg":"stopped"') && l.includes('"finished":true'))).toBe(true);
        const gone = await attempt(server.url, '/health/live');
        expect(gone).toEqual({ status: 0, code: 'ECONNREFUSED' });
      } finally {
        await admin.end();
      }

      await db.use(async (d) => {
        for (const till of busy) expect(await appliedOps(d, till.deviceId)).toEqual({ ops: 50, lastSeq: 50 });
        expect(await appliedOps(d, late.deviceId)).toEqual({ ops: 0, lastSeq: 0 });
        expect((await serverFacts(d)).ledger).toEqual([]);
      });

      // Restarted: the refused till pushes again and is applied once; a repeat changes nothing.
      const again = await start(db, { TILLDESK_DRAIN_DELAY_MS: '0' });
      const retried = await pushAs(again, late, batch(5, 1));
      expect(results(retried)?.map((r) => r.status)).toEqual(Array(5).fill('applied'));
      const repeated = await pushAs(again, busy[0] as RawDevice, batches[0] ?? []);
      expect((repeated as RawReply).body.lastSeq).toBe(50);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      await db.use(async (d) => {
        expect(await appliedOps(d, late.deviceId)).toEqual({ ops: 5, lastSeq: 5 });
        const facts = await serverFacts(d);
        expect(facts.appliedOps).toBe(busy.length * 50 + 5);
        expect(facts.distinctOps).toBe(facts.appliedOps);
        expect(facts.ledger).toEqual([]);
      });
    }, 120_000);

    it('cuts a push still stuck at the bound: no reply, nothing written, exit 1; pushed again it is applied once', async () => {
      const { db, codes } = await setUp(1);
      const server = await start(db, { TILLDESK_DRAIN_DELAY_MS: '0', TILLDESK_SHUTDOWN_TIMEOUT_MS: '1500' });
      const till = await enrol(server, codes[0] ?? '');
      const ops = batch(20, 2);
      const admin = new pg.Client({ connectionString: db.env.DATABASE_URL });
      await admin.connect();
      let cut: Outcome;
      try {
        await admin.query('BEGIN');
        await admin.query('SELECT 1 FROM device WHERE id = $1 FOR UPDATE', [till.deviceId]);
        const stuck = pushAs(server, till, ops);
        await waitForLockWaiters(admin, new URL(db.env.DATABASE_URL ?? '').pathname.slice(1), 1, [stuck]);
        server.child.kill('SIGTERM');
        // The lock is held until after the process is gone: the push can never commit.
        expect(await server.exited).toBe(1);
        cut = await stuck;
      } finally {
        await admin.query('ROLLBACK');
        await admin.end();
      }
      expect(cut.status).toBe(0);
      expect(server.logs.some((l) => l.includes('cutting them'))).toBe(true);
      await db.use(async (d) => {
        expect(await appliedOps(d, till.deviceId)).toEqual({ ops: 0, lastSeq: 0 });
      });
      const again = await start(db, { TILLDESK_DRAIN_DELAY_MS: '0' });
      const retried = await pushAs(again, till, ops);
      expect(results(retried)?.map((r) => r.status)).toEqual(Array(20).fill('applied'));
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      await db.use(async (d) => {
        expect(await appliedOps(d, till.deviceId)).toEqual({ ops: 20, lastSeq: 20 });
        expect((await serverFacts(d)).ledger).toEqual([]);
      });
    }, 120_000);
  }

  // PGlite applies one transaction at a time, so when the first big push is answered the others are in flight for certain.
  if (backend === 'pglite') {
    it('under big pushes: each one in flight at SIGTERM is either answered and stored, or unanswered and absent', async () => {
      const { db, codes } = await setUp(5);
      const server = await start(db, { TILLDESK_DRAIN_DELAY_MS: '2000', TILLDESK_SHUTDOWN_TIMEOUT_MS: '60000' });
      const tills: RawDevice[] = [];
      for (const code of codes) tills.push(await enrol(server, code));
      const [late, ...busy] = tills as [RawDevice, ...RawDevice[]];
      const batches = busy.map(() => batch(200, 5));
      let signalledAt = 0;
      const inFlight = busy.map(async (till, i) => {
        const outcome = await pushAs(server, till, batches[i] ?? []);
        const at = performance.now();
        // The first answer comes while the others are still being applied: stop the server now.
        if (signalledAt === 0) {
          signalledAt = performance.now();
          server.child.kill('SIGTERM');
        }
        return { outcome, afterSignal: at > signalledAt };
      });
      const first = await Promise.race(inFlight);
      expect(first.outcome.status).toBe(200);
      const ready = await attempt(server.url, '/health/ready');
      expect(ready.status === 503 || (ready.status === 0 && (ready as { code: string }).code === 'ECONNREFUSED')).toBe(true);
      const refused = await pushAs(server, late, batch(5, 1));
      expect([0, 503]).toContain(refused.status);
      const answers = await Promise.all(inFlight);
      const outcomes = answers.map((a) => a.outcome);
      expect(await server.exited).toBe(0);
      const afterSignal = answers.filter((a) => a.afterSignal && a.outcome.status === 200).length;
      console.log(
        `${backend}: ${busy.length} pushes of 200 ops; ${afterSignal} answered after SIGTERM; outcomes ${outcomes.map((o) => o.status).join(', ')}`,
      );
      // Some push was still running when the signal came, and it was finished, not dropped.
      expect(afterSignal).toBeGreaterThan(0);

      await db.use(async (d) => {
        for (const [i, till] of busy.entries()) {
          const stored = await appliedOps(d, till.deviceId);
          if (outcomes[i]?.status === 200) expect(stored).toEqual({ ops: 200, lastSeq: 200 });
          else expect(stored).toEqual({ ops: 0, lastSeq: 0 });
        }
        expect(await appliedOps(d, late.deviceId)).toEqual({ ops: 0, lastSeq: 0 });
      });

      // Every till pushes its batch again: applied once whatever happened before.
      const again = await start(db, { TILLDESK_DRAIN_DELAY_MS: '0' });
      for (const [i, till] of busy.entries()) {
        const reply = await pushAs(again, till, batches[i] ?? []);
        expect(results(reply)?.length).toBe(200);
      }
      expect(results(await pushAs(again, late, batch(5, 1)))?.length).toBe(5);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      await db.use(async (d) => {
        for (const till of busy) expect(await appliedOps(d, till.deviceId)).toEqual({ ops: 200, lastSeq: 200 });
        const facts = await serverFacts(d);
        expect(facts.appliedOps).toBe(busy.length * 200 + 5);
        expect(facts.distinctOps).toBe(facts.appliedOps);
        expect(facts.ledger).toEqual([]);
      });
    }, 180_000);
  }
});
