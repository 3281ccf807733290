/**
 * The load run (issue 8, item 4): `node bench/load.ts [--tills 50] [--seconds 60]`.
 *
 * Starts the sync server as production runs it (`node server/main.ts`, default limits) on a
 * database of its own — PostgreSQL through TILLDESK_TEST_PG_URL (a role that may CREATE
 * DATABASE; the database is dropped at the end), or embedded PGlite without it or with
 * `--database pglite` — and drives it with simulated tills over real HTTP, each from its own
 * loopback address (127.0.1.x) so per-address limits apply as they would in the field.
 * Every till enrols with a real one-time code, then loops: ring up 1–5 sales, push them as
 * one batch exactly as the till's sync client does, pull every page of changes, pause
 * (--think-ms, jittered). The sales are real ones — rung up through the till's own handlers
 * on a demo shop at start — with fresh ids and times per till; a back-office till pushes
 * the shop's catalog first, so pulls carry it.
 *
 * Prints: errors (every non-2xx answer, network error, and op not applied), push latency
 * p50/p99, throughput, the server's RSS sampled every few seconds (first, last, max,
 * slope), and checks on the server afterwards (every acknowledged op held once, stock =
 * ledger, SIGTERM → exit 0). Exits 1 on any error or failed check. The last line is
 * `RESULT {json}` for scripts. `--tiny` (3 tills, 3 s) proves it still runs
 * (test/server/load-tiny.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEnrolmentCode, createStore, ledgerCheck } from '../server/admin-ops.ts';
import { type Db, migrate, openPglite, openPostgres } from '../server/db.ts';
import { adminQuery, createScratchDatabase } from '../server/scratch-database.ts';
import { encodeHlc } from '../shared/hlc.ts';
import { uuidv7 } from '../shared/ids.ts';
import { seededRandom } from '../shared/random.ts';
import { type EnrolReply, type OpEnvelope, syncSchemaVersion } from '../shared/sync.ts';
import { summarize } from './lib/stats.ts';
import { openBenchTill } from './lib/till.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    tills: { type: 'string' },
    seconds: { type: 'string' },
    stores: { type: 'string' },
    'think-ms': { type: 'string' },
    'max-sales': { type: 'string' },
    database: { type: 'string' },
    tiny: { type: 'boolean', default: false },
  },
});
const tiny = values.tiny ?? false;
const number = (text: string | undefined, fallback: number) => (text && /^\d+$/.test(text) ? Number(text) : fallback);
const options = {
  tills: number(values.tills, tiny ? 3 : 50),
  seconds: number(values.seconds, tiny ? 3 : 60),
  stores: number(values.stores, tiny ? 1 : 5),
  thinkMs: number(values['think-ms'], 500),
  maxSales: number(values['max-sales'], 5),
  database: values.database ?? (process.env.TILLDESK_TEST_PG_URL ? 'postgres' : 'pglite'),
  sampleMs: tiny ? 500 : 2000,
};
if (options.database === 'postgres' && !process.env.TILLDESK_TEST_PG_URL) {
  console.error('--database postgres needs TILLDESK_TEST_PG_URL (a role that may CREATE DATABASE)');
  process.exit(2);
}

// ---------------------------------------------------------------- HTTP, one keep-alive agent per till

interface Reply {
  status: number;
  body: unknown;
}

function call(agent: Agent, from: string, url: string, path: string, token: string | null, body?: unknown): Promise<Reply> {
  const target = new URL(url);
  const payload = body === undefined ? null : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== null) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: payload === null ? 'GET' : 'POST',
        headers,
        agent,
        localAddress: from,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

/** Till n's own loopback address: 127.0.1.1, 127.0.1.2, … */
const addressOf = (n: number) => `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;

// ---------------------------------------------------------------- the shop: real sales and its catalog

interface SalePayload {
  order: {
    id: string;
    number: string | null;
    openedAt: string | null;
    completedAt: string;
    lines: { id: string }[];
    tenders: { id: string }[];
  };
  movements: { id: string; orderId: string | null; occurredAt: string; hlc: string; deviceId: string }[];
}

/** A demo shop rung up through the till's own handlers: its sale ops and its catalog as ops. */
async function demoShop(): Promise<{ sales: SalePayload[]; catalog: { type: string; payload: unknown }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-load-'));
  const till = openBenchTill(dir);
  try {
    till.store.db.pragma('synchronous = OFF');
    await till.ok('setup.demo', { products: 200 });
    const db = till.store.db;
    const sales = (
      db.prepare("SELECT payload FROM outbox WHERE type = 'sale.completed' ORDER BY seq").pluck().all() as string[]
    ).map((p) => JSON.parse(p) as SalePayload);
    const barcodes = new Map<string, string[]>();
    for (const b of db.prepare('SELECT code, product_id FROM barcode ORDER BY code').all() as {
      code: string;
      product_id: string;
    }[]) {
      barcodes.set(b.product_id, [...(barcodes.get(b.product_id) ?? []), b.code]);
    }
    const catalog = [
      ...(db.prepare('SELECT id, name, rate_bp FROM tax_class').all() as { id: string; name: string; rate_bp: number }[]).map(
        (t) => ({ type: 'catalog.tax_class_saved', payload: { id: t.id, name: t.name, rateBp: t.rate_bp } }),
      ),
      ...(
        db.prepare('SELECT id, name, position, active FROM category').all() as {
          id: string;
          name: string;
          position: number;
          active: number;
        }[]
      ).map((c) => ({
        type: 'catalog.category_saved',
        payload: { id: c.id, name: c.name, position: c.position, active: c.active === 1 },
      })),
      ...(
        db
          .prepare(
            'SELECT id, sku, name, category_id, unit, price, tax_class_id, cost, reorder_point, active, updated_at FROM product',
          )
          .all() as {
          id: string;
          sku: string;
          name: string;
          category_id: string | null;
          unit: string;
          price: number;
          tax_class_id: string;
          cost: number | null;
          reorder_point: number;
          active: number;
          updated_at: string;
        }[]
      ).map((p) => ({
        type: 'catalog.product_saved',
        payload: {
          id: p.id,
          sku: p.sku,
          name: p.name,
          barcodes: barcodes.get(p.id) ?? [],
          categoryId: p.category_id,
          unit: p.unit,
          price: p.price,
          taxClassId: p.tax_class_id,
          cost: p.cost,
          reorderPoint: p.reorder_point,
          active: p.active === 1,
          updatedAt: p.updated_at,
        },
      })),
    ];
    return { sales, catalog };
  } finally {
    till.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the database and the server

interface Database {
  kind: 'postgres' | 'pglite';
  env: NodeJS.ProcessEnv;
  /** PGlite: only while no server runs (one process at a time). */
  use<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

async function database(): Promise<Database> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.TILLDESK_SERVER_DATA;
  if (options.database === 'postgres') {
    const adminUrl = process.env.TILLDESK_TEST_PG_URL ?? '';
    const scratch = await createScratchDatabase(adminUrl, 'tilldesk_load');
    env.DATABASE_URL = scratch.url;
    const version = String((await adminQuery(adminUrl, 'SHOW server_version')).rows[0]?.server_version ?? '?');
    const db = openPostgres(env.DATABASE_URL, { max: 2 });
    return {
      kind: 'postgres',
      env: { ...env, TILLDESK_LOAD_PG_VERSION: version },
      use: (fn) => fn(db),
      async drop() {
        await db.close();
        await scratch.drop();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-load-pglite-'));
  env.TILLDESK_SERVER_DATA = dir;
  return {
    kind: 'pglite',
    env,
    async use(fn) {
      const db = await openPglite(dir);
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

interface Server {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        // Warnings and errors go through; the per-push info lines do not.
        if (/"level":(40|50|60)/.test(line)) console.error(`[server] ${line}`);
        if (line.includes('"msg":"listening"')) {
          resolve({ url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, child, exited });
        }
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
}

/** The server's resident memory in MB and CPU seconds so far, from /proc. */
function serverUsage(pid: number): { rssMb: number; cpuS: number } | null {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return null;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime (fields 14 and 15), in clock ticks: 100 a second on Linux.
  const cpuS = (Number(fields[11]) + Number(fields[12])) / 100;
  return { rssMb: Number(rss?.[1] ?? 0) / 1024, cpuS };
}

/** Least-squares slope of (seconds, MB) in MB a minute. */
function slopePerMinute(samples: { at: number; rssMb: number }[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.at, 0) / n;
  const my = samples.reduce((s, p) => s + p.rssMb, 0) / n;
  const sxy = samples.reduce((s, p) => s + (p.at - mx) * (p.rssMb - my), 0);
  const sxx = samples.reduce((s, p) => s + (p.at - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

// ---------------------------------------------------------------- one simulated till

interface Till extends EnrolReply {
  n: number;
  from: string;
  agent: Agent;
  installId: string;
  seq: number;
  cursor: string | null;
  counter: number;
}

interface Tally {
  pushes: number;
  ops: number;
  pullPages: number;
  latencies: number[];
  errors: { http: number; network: number; notApplied: number };
  firstErrors: string[];
}

function noteError(tally: Tally, kind: keyof Tally['errors'], what: string): void {
  tally.errors[kind]++;
  if (tally.firstErrors.length < 10) tally.firstErrors.push(what);
}

/** A sale as this till would send it: a real one with fresh ids, this till's clock, device and numbers. */
function ringUp(till: Till, template: SalePayload, seq: number): OpEnvelope {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const hlc = encodeHlc({ wall: now, counter: till.counter++ % 1_000_000, device: till.installId });
  const payload = structuredClone(template);
  const order = payload.order;
  order.id = uuidv7(now);
  order.number = `T${String(till.n + 1).padStart(2, '0')}-${String(seq).padStart(6, '0')}`;
  order.openedAt = at;
  order.completedAt = at;
  for (const line of order.lines) line.id = uuidv7(now);
  for (const tender of order.tenders) tender.id = uuidv7(now);
  for (const m of payload.movements) {
    m.id = uuidv7(now);
    m.orderId = order.id;
    m.occurredAt = at;
    m.hlc = hlc;
    m.deviceId = till.installId;
  }
  return { seq, opId: uuidv7(now), type: 'sale.completed', payload, occurredAt: at, hlc };
}

async function runTill(till: Till, url: string, sales: SalePayload[], until: number, tally: Tally): Promise<void> {
  const next = seededRandom(till.n + 1);
  let pending: OpEnvelope[] = [];
  while (performance.now() < until) {
    // Sales rung up since the last cycle (kept when a push failed: a till never drops them).
    if (pending.length === 0) {
      const count = 1 + Math.floor(next() * options.maxSales);
      pending = Array.from({ length: count }, (_, i) =>
        ringUp(till, sales[(till.n * 7 + till.seq + i) % sales.length] as SalePayload, till.seq + i + 1),
      );
    }
    const body = {
      deviceId: till.deviceId,
      epoch: till.epoch,
      schemaVersion: syncSchemaVersion,
      sentAt: new Date().toISOString(),
      ops: pending,
    };
    const sent = performance.now();
    try {
      const reply = await call(till.agent, till.from, url, '/v1/sync/push', till.token, body);
      tally.latencies.push(performance.now() - sent);
      tally.pushes++;
      const results = (reply.body as { results?: { status: string }[] }).results ?? [];
      if (reply.status !== 200) noteError(tally, 'http', `push ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      else if (results.length !== pending.length || results.some((r) => r.status !== 'applied')) {
        noteError(tally, 'notApplied', `push settled ${JSON.stringify(results).slice(0, 200)}`);
      } else {
        till.seq += pending.length;
        tally.ops += pending.length;
        pending = [];
      }
    } catch (error) {
      noteError(tally, 'network', `push ${(error as Error).message}`);
    }
    // Then every page of changes, as the till's client does after pushing.
    for (let page = 0; page < 100; page++) {
      const query = new URLSearchParams({ schemaVersion: String(syncSchemaVersion) });
      if (till.cursor) query.set('cursor', till.cursor);
      try {
        const reply = await call(till.agent, till.from, url, `/v1/sync/pull?${query}`, till.token);
        if (reply.status !== 200) {
          noteError(tally, 'http', `pull ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
          break;
        }
        tally.pullPages++;
        const pulled = reply.body as { cursor: string; more: boolean };
        till.cursor = pulled.cursor;
        if (!pulled.more) break;
      } catch (error) {
        noteError(tally, 'network', `pull ${(error as Error).message}`);
        break;
      }
    }
    await sleep(options.thinkMs * (0.5 + next()));
  }
}

// ---------------------------------------------------------------- the run

async function enrol(url: string, n: number, code: string): Promise<Till> {
  const from = addressOf(n);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const installId = uuidv7();
  const reply = await call(agent, from, url, '/v1/sync/enrol', null, {
    code,
    deviceName: `Till ${n + 1}`,
    installId,
    schemaVersion: syncSchemaVersion,
    firstSeq: 1,
  });
  if (reply.status !== 200) throw new Error(`enrol failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { ...(reply.body as EnrolReply), n, from, agent, installId, seq: 0, cursor: null, counter: 0 };
}

async function main(): Promise<number> {
  const started = performance.now();
  const shop = await demoShop();
  const db = await database();
  let server: Server | null = null;
  const stop = () => server?.child.kill('SIGKILL');
  process.once('SIGINT', () => {
    stop();
    void db.drop().finally(() => process.exit(130));
  });
  try {
    const storeIds = Array.from({ length: options.stores }, (_, i) => `load-${i + 1}`);
    const codes = await db.use(async (d) => {
      await migrate(d);
      for (const id of storeIds) await createStore(d, { id, name: `Load store ${id}` });
      const list: string[] = [];
      // One code per till (stores in turn), and one for the back office that pushes the catalog.
      for (let n = 0; n <= options.tills; n++)
        list.push((await createEnrolmentCode(d, storeIds[n % storeIds.length] ?? '')).code);
      return list;
    });
    server = await startServer(db.env);
    const url = server.url;
    const pid = server.child.pid ?? 0;
    const where = db.kind === 'postgres' ? `PostgreSQL ${db.env.TILLDESK_LOAD_PG_VERSION}` : 'embedded PGlite (one connection)';
    console.log(
      `load: ${options.tills} tills in ${options.stores} store(s) for ${options.seconds} s against node server/main.ts on ${where}; ` +
        `each cycle 1–${options.maxSales} sales pushed, every page pulled, ${options.thinkMs} ms ±50% pause`,
    );

    // The back office pushes the shop's catalog, so every till's first pull carries it.
    const office = await enrol(url, options.tills, codes[options.tills] ?? '');
    const catalogOps: OpEnvelope[] = shop.catalog.map((c, i) => {
      const now = Date.now();
      return {
        seq: i + 1,
        opId: uuidv7(now),
        type: c.type,
        payload: c.payload,
        occurredAt: new Date(now).toISOString(),
        hlc: encodeHlc({ wall: now, counter: i, device: office.installId }),
      };
    });
    for (let at = 0; at < catalogOps.length; at += 200) {
      const ops = catalogOps.slice(at, at + 200);
      const reply = await call(office.agent, office.from, url, '/v1/sync/push', office.token, {
        deviceId: office.deviceId,
        epoch: office.epoch,
        schemaVersion: syncSchemaVersion,
        ops,
      });
      const results = (reply.body as { results?: { status: string }[] }).results ?? [];
      if (reply.status !== 200 || results.some((r) => r.status !== 'applied')) {
        throw new Error(`catalog push failed: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      }
    }
    const tills: Till[] = [];
    for (let n = 0; n < options.tills; n++) tills.push(await enrol(url, n, codes[n] ?? ''));

    const samples: { at: number; rssMb: number }[] = [];
    const before = serverUsage(pid);
    const runStart = performance.now();
    const sampler = setInterval(() => {
      const usage = serverUsage(pid);
      if (usage) samples.push({ at: (performance.now() - runStart) / 1000, rssMb: usage.rssMb });
    }, options.sampleMs);
    const tally: Tally = {
      pushes: 0,
      ops: 0,
      pullPages: 0,
      latencies: [],
      errors: { http: 0, network: 0, notApplied: 0 },
      firstErrors: [],
    };
    const until = runStart + options.seconds * 1000;
    await Promise.all(tills.map((till) => runTill(till, url, shop.sales, until, tally)));
    const wallS = (performance.now() - runStart) / 1000;
    clearInterval(sampler);
    const after = serverUsage(pid);
    for (const till of [...tills, office]) till.agent.destroy();

    // The server stops as it would in production; PGlite must be closed before it is read.
    server.child.kill('SIGTERM');
    const exitCode = await server.exited;
    const held = await db.use(async (d) => {
      const rows = (
        await d.query<{ applied: number; rejected: number; duplicates: number; distinct_ops: number }>(
          `SELECT count(*) FILTER (WHERE status = 'applied' AND NOT duplicate)::int AS applied,
                  count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
                  count(*) FILTER (WHERE duplicate)::int AS duplicates,
                  count(DISTINCT op_id)::int AS distinct_ops
           FROM applied_op WHERE type = 'sale.completed'`,
        )
      ).rows[0];
      const seqs = (await d.query<{ id: string; last_seq: number }>('SELECT id, last_seq FROM device')).rows;
      return {
        applied: rows?.applied ?? -1,
        rejected: rows?.rejected ?? -1,
        duplicates: rows?.duplicates ?? -1,
        distinct_ops: rows?.distinct_ops ?? -1,
        seqs: new Map(seqs.map((s) => [s.id, Number(s.last_seq)])),
        ledger: await ledgerCheck(d),
      };
    });

    const errors = tally.errors.http + tally.errors.network + tally.errors.notApplied;
    const latency = summarize(tally.latencies);
    const rss = samples.map((s) => s.rssMb);
    const half = samples.filter((s) => s.at >= options.seconds / 2);
    const memory = {
      samples: samples.length,
      firstMb: rss[0] ?? 0,
      lastMb: rss.at(-1) ?? 0,
      maxMb: rss.length > 0 ? Math.max(...rss) : 0,
      slopeMbPerMin: slopePerMinute(samples),
      secondHalfSlopeMbPerMin: slopePerMinute(half),
    };
    const checks = {
      appliedEqualsAcknowledged: held.applied === tally.ops,
      noDuplicates: held.duplicates === 0 && held.distinct_ops === held.applied + held.rejected,
      noneRejected: held.rejected === 0,
      seqsAgree: tills.every((t) => held.seqs.get(t.deviceId) === t.seq),
      stockEqualsLedger: held.ledger.length === 0,
      cleanExit: exitCode === 0,
    };
    const failed = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    const f1 = (x: number) => x.toFixed(1);
    console.log(
      `pushes ${tally.pushes} (${tally.ops} sale ops), pull pages ${tally.pullPages}; ` +
        `errors ${errors} (non-2xx ${tally.errors.http}, network ${tally.errors.network}, ops not applied ${tally.errors.notApplied})`,
    );
    for (const line of tally.firstErrors) console.log(`  error: ${line}`);
    console.log(
      `push latency p50 ${f1(latency.median)} ms, p99 ${f1(latency.p99)} ms (max ${f1(latency.max)} ms, n ${latency.n})`,
    );
    console.log(`throughput ${f1(tally.ops / wallS)} ops/s (${f1(tally.pushes / wallS)} pushes/s) over ${f1(wallS)} s`);
    console.log(
      `server RSS MB: first ${f1(memory.firstMb)}, last ${f1(memory.lastMb)}, max ${f1(memory.maxMb)}; ` +
        `slope ${memory.slopeMbPerMin >= 0 ? '+' : ''}${f1(memory.slopeMbPerMin)} MB/min ` +
        `(second half ${memory.secondHalfSlopeMbPerMin >= 0 ? '+' : ''}${f1(memory.secondHalfSlopeMbPerMin)}) over ${memory.samples} samples` +
        (before && after ? `; server CPU ${f1(after.cpuS - before.cpuS)} s in the run` : ''),
    );
    console.log(`  RSS samples (MB, every ${options.sampleMs / 1000} s): ${rss.map((x) => Math.round(x)).join(' ')}`);
    console.log(
      `checks: server holds ${held.applied} applied sale ops for ${tally.ops} acknowledged, ${held.rejected} rejected, ` +
        `${held.duplicates} duplicates; stock ${held.ledger.length === 0 ? '=' : '≠'} ledger; SIGTERM → exit ${exitCode}` +
        (failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : ''),
    );
    console.log(`total ${f1((performance.now() - started) / 1000)} s`);
    const result = {
      options,
      database: where,
      pushes: tally.pushes,
      ops: tally.ops,
      pullPages: tally.pullPages,
      errors,
      errorKinds: tally.errors,
      latencyMs: { p50: latency.median, p99: latency.p99, max: latency.max, n: latency.n },
      opsPerSecond: tally.ops / wallS,
      memory,
      checks,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
    return errors === 0 && failed.length === 0 ? 0 : 1;
  } finally {
    stop();
    await db.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
