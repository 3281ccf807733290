/**
 * Test support for the sync server: a real server over real HTTP on 127.0.0.1, on
 * embedded PGlite (always) and on PostgreSQL (when TILLDESK_TEST_PG_URL is set, as
 * .ci/run does: a role that may CREATE DATABASE; each server gets its own database).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pino from 'pino';
import { createEnrolmentCode, createStore, ledgerCheck } from '../../server/admin-ops.ts';
import { buildApp, type ServerConfig } from '../../server/app.ts';
import { type Db, loadMigrations, migrate, openPglite, openPostgres, pgliteDb } from '../../server/db.ts';
import type { PushHooks } from '../../server/push.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../server/scratch-database.ts';
import type { LedgerDifference } from '../../server/stock.ts';
import { type EnrolReply, syncSchemaVersion } from '../../shared/sync.ts';

export type Backend = 'pglite' | 'postgres';
export const pgUrl = process.env.TILLDESK_TEST_PG_URL;

let told = false;
/** The backends to run against: PGlite always, PostgreSQL when the environment provides one. */
export function backends(): Backend[] {
  if (!pgUrl && !told) {
    told = true;
    console.log(
      'TILLDESK_TEST_PG_URL is not set: running the sync tests on PGlite only (set it to a PostgreSQL URL whose role may CREATE DATABASE to run them on PostgreSQL too)',
    );
  }
  return pgUrl ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh PostgreSQL database for one test server; dropped by the returned function. */
export async function freshPostgresDatabase(): Promise<ScratchDatabase> {
  if (!pgUrl) throw new Error('TILLDESK_TEST_PG_URL is not set');
  return createScratchDatabase(pgUrl, 'tilldesk_t');
}

/**
 * A migrated, empty PGlite database as a tarball, made once per machine and migration set:
 * a fresh PGlite runs initdb (seconds); loading this takes about one. Each test server
 * still runs migrate() on it, which finds nothing to do.
 */
export async function pgliteTemplate(): Promise<Blob> {
  const key = createHash('sha256')
    .update(
      loadMigrations()
        .map((m) => m.checksum)
        .join(),
    )
    .digest('hex')
    .slice(0, 16);
  const path = join(tmpdir(), `tilldesk-pglite-template-${key}.tar`);
  if (existsSync(path)) return new Blob([readFileSync(path)]);
  const db = await openPglite(undefined);
  await migrate(db);
  const dump = await (db as Db & { lite: PGlite }).lite.dumpDataDir('none');
  await db.close();
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path); // atomic: a parallel test file reads a whole template or none
  return dump;
}

export interface TestServer {
  backend: Backend;
  db: Db;
  url: string;
  port: number;
  hooks: PushHooks;
  /** Stops listening (the database stays open). */
  stopHttp(): Promise<void>;
  close(): Promise<void>;
  /** Closes the server and its connections but keeps a PostgreSQL database (to copy it). */
  closeKeepingDatabase(): Promise<void>;
  /** Postgres: the database this server uses. */
  databaseUrl: string | undefined;
  ledger(): Promise<LedgerDifference[]>;
  store(id: string, name?: string): Promise<string>;
  code(storeId: string): Promise<string>;
}

export interface StartOptions {
  config?: Partial<ServerConfig>;
  /** For postgres: connect through this URL instead (a proxy in front of the test database). */
  connectVia?: (databaseUrl: string) => Promise<string>;
  /** Reuse an open database instead of making one (not closed with the server). */
  db?: Db;
  /** Postgres: use this existing database instead of a fresh one. */
  databaseUrl?: string;
  /** Runs after the server and its database closed (drop what the test made). */
  onClose?: () => Promise<void>;
}

const quiet = pino({ level: process.env.TILLDESK_TEST_LOG ?? 'silent' });

export async function startTestServer(backend: Backend, options: StartOptions = {}): Promise<TestServer> {
  let dropDatabase: (() => Promise<void>) | null = null;
  let databaseUrl = options.databaseUrl;
  let db = options.db;
  if (!db) {
    if (backend === 'pglite') db = pgliteDb(await PGlite.create({ loadDataDir: await pgliteTemplate() }));
    else {
      if (!databaseUrl) {
        const fresh = await freshPostgresDatabase();
        dropDatabase = fresh.drop;
        databaseUrl = fresh.url;
      }
      const url = options.connectVia ? await options.connectVia(databaseUrl) : databaseUrl;
      db = openPostgres(url, { onError: () => {} });
    }
    await migrate(db);
  }
  const hooks: PushHooks = {};
  const app = await buildApp({
    db,
    logger: quiet,
    config: {
      rateLimitPerMinute: 1_000_000,
      enrolLimitPerMinute: 1_000_000,
      addressLimitPerMinute: 1_000_000,
      authFailureLimitPerMinute: 1_000_000,
      ...options.config,
    },
    hooks: { beforeCommit: (id) => hooks.beforeCommit?.(id) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let httpOpen = true;
  let dbClosed = false;
  const theDb = db;
  const server: TestServer = {
    backend,
    db,
    url: `http://127.0.0.1:${port}`,
    port,
    hooks,
    async stopHttp() {
      if (httpOpen) await app.close();
      httpOpen = false;
    },
    async close() {
      await server.closeKeepingDatabase();
      await dropDatabase?.();
      await options.onClose?.();
    },
    async closeKeepingDatabase() {
      if (httpOpen) await app.close();
      httpOpen = false;
      if (!options.db && !dbClosed) await theDb.close();
      dbClosed = true;
    },
    databaseUrl,
    ledger: () => ledgerCheck(theDb),
    async store(id, name = id) {
      await createStore(theDb, { id, name });
      return id;
    },
    async code(storeId) {
      return (await createEnrolmentCode(theDb, storeId)).code;
    },
  };
  return server;
}

/** A device enrolled straight over HTTP, for protocol tests that speak JSON themselves. */
export interface RawDevice extends EnrolReply {
  url: string;
}

export async function enrolRaw(server: TestServer, storeId: string, firstSeq = 1): Promise<RawDevice> {
  const code = await server.code(storeId);
  const response = await fetch(`${server.url}/v1/sync/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      code,
      deviceName: 'Test till',
      installId: randomBytes(8).toString('hex'),
      schemaVersion: syncSchemaVersion,
      firstSeq,
    }),
  });
  if (response.status !== 200) throw new Error(`enrol failed: ${response.status} ${await response.text()}`);
  return { ...((await response.json()) as EnrolReply), url: server.url };
}

export async function call(
  url: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{
  status: number;
  body: Record<string, unknown> & {
    error?: { reason: string; message: string; epoch?: string; lastSeq?: number; acceptedSchemaVersions?: number[] };
  };
}> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : { text } };
}

/** Counts that every fault test asserts on: nothing lost, nothing applied twice, stock = ledger. */
export async function serverFacts(db: Db) {
  const q = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0);
  return {
    ops: await q('SELECT count(*)::int AS n FROM applied_op'),
    distinctOps: await q("SELECT count(DISTINCT op_id)::int AS n FROM applied_op WHERE status = 'applied' AND NOT duplicate"),
    appliedOps: await q("SELECT count(*)::int AS n FROM applied_op WHERE status = 'applied' AND NOT duplicate"),
    movements: await q('SELECT count(*)::int AS n FROM stock_movement'),
    orders: await q('SELECT count(*)::int AS n FROM orders'),
    ledger: await ledgerCheck(db),
  };
}

let hlcCounter = 0;
/** A sale op as a till makes it: the order and its stock movements (quantities in thousandths). */
export function saleOp(
  seq: number,
  lines: { productId: string; quantity?: number; locationId?: string }[],
  occurredAt: string = new Date().toISOString(),
  deviceId = 'test-install',
) {
  const orderId = uuid();
  const hlc = `${String(Date.parse(occurredAt)).padStart(15, '0')}-${String(++hlcCounter % 1_000_000).padStart(6, '0')}-${deviceId}`;
  const movements = lines.map((l) => ({
    id: uuid(),
    productId: l.productId,
    locationId: l.locationId ?? 'shop',
    kind: 'sale',
    quantity: -(l.quantity ?? 1000),
    unitCost: null,
    reason: null,
    orderId,
    ref: null,
    staffId: null,
    staffName: null,
    deviceId,
    occurredAt,
    hlc,
  }));
  return {
    seq,
    opId: uuid(),
    type: 'sale.completed',
    payload: {
      order: {
        id: orderId,
        number: `T01-${String(seq).padStart(6, '0')}`,
        kind: 'sale',
        state: 'completed',
        total: 199 * lines.length,
        taxTotal: 10,
        completedAt: occurredAt,
        lines: lines.map((l) => ({ productId: l.productId, quantity: l.quantity ?? 1000 })),
        tenders: [{ kind: 'cash', amount: 199 * lines.length }],
      },
      movements,
    },
    occurredAt,
    hlc,
  };
}

export function goodsInOp(
  seq: number,
  productId: string,
  quantity: number,
  occurredAt = new Date().toISOString(),
  locationId = 'shop',
) {
  const hlc = `${String(Date.parse(occurredAt)).padStart(15, '0')}-${String(++hlcCounter % 1_000_000).padStart(6, '0')}-test`;
  const ref = uuid();
  return {
    seq,
    opId: uuid(),
    type: 'stock.goods_in',
    payload: {
      ref,
      supplier: 'Acme',
      reference: null,
      movements: [
        {
          id: uuid(),
          productId,
          locationId,
          kind: 'goods_in',
          quantity,
          unitCost: 50,
          reason: 'Acme',
          orderId: null,
          ref,
          staffId: null,
          deviceId: 'test',
          occurredAt,
          hlc,
        },
      ],
    },
    occurredAt,
    hlc,
  };
}

export function countOp(
  seq: number,
  ref: string,
  lines: { productId: string; counted: number; countedAt: string; locationId?: string }[],
) {
  const occurredAt = new Date().toISOString();
  return {
    seq,
    opId: uuid(),
    type: 'stocktake.applied',
    payload: { ref, lines: lines.map((l) => ({ locationId: 'shop', ...l })) },
    occurredAt,
    hlc: `${String(Date.now()).padStart(15, '0')}-${String(++hlcCounter % 1_000_000).padStart(6, '0')}-test`,
  };
}

export const uuid = () => crypto.randomUUID();

export function pushBody(device: RawDevice, ops: unknown[], schemaVersion = syncSchemaVersion) {
  return { deviceId: device.deviceId, epoch: device.epoch, schemaVersion, ops };
}

export async function onHand(db: Db, storeId: string, productId: string, locationId = 'shop'): Promise<number> {
  const row = (
    await db.query<{ on_hand: number }>(
      'SELECT on_hand FROM stock_level WHERE store_id = $1 AND location_id = $2 AND product_id = $3',
      [storeId, locationId, productId],
    )
  ).rows[0];
  return row ? Number(row.on_hand) : 0;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const databaseName = (url: string) => new URL(url).pathname.slice(1);
const withDatabase = (url: string, name: string) => {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
};

/**
 * Takes a real backup of the server's database and returns the server (reopened if it had
 * to stop for the copy) and a restore(): a new server on the backup, the old one closed.
 * PGlite: a dump of its data folder; PostgreSQL: a copy made with CREATE DATABASE … TEMPLATE.
 */
export async function backupServer(server: TestServer): Promise<{ server: TestServer; restore(): Promise<TestServer> }> {
  if (server.backend === 'pglite') {
    const dump = await (server.db as Db & { lite: PGlite }).lite.dumpDataDir('none');
    return {
      server,
      async restore() {
        await server.close();
        const lite = await PGlite.create({ loadDataDir: dump });
        const db = pgliteDb(lite);
        return startTestServer('pglite', { db, onClose: () => lite.close() });
      },
    };
  }
  const url = server.databaseUrl ?? '';
  const name = databaseName(url);
  const backup = `${name}_bak`;
  await server.closeKeepingDatabase();
  await adminQuery(`CREATE DATABASE ${backup} TEMPLATE ${name}`);
  const reopened = await startTestServer('postgres', {
    databaseUrl: url,
    onClose: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  });
  return {
    server: reopened,
    async restore() {
      await reopened.close();
      const restored = `${name}_rst`;
      await adminQuery(`CREATE DATABASE ${restored} TEMPLATE ${backup}`);
      return startTestServer('postgres', {
        databaseUrl: withDatabase(url, restored),
        onClose: async () => {
          await adminQuery(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
          await adminQuery(`DROP DATABASE IF EXISTS ${backup} WITH (FORCE)`);
        },
      });
    },
  };
}

// ---------------------------------------------------------------- issue 8: attacks and shutdown

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { error?: { reason: string; message: string } };
}

/**
 * One request with full control, through node:http: any Authorization header (or none,
 * however long), and from a chosen local address (any 127.x.y.z reaches 127.0.0.1 on
 * Linux), so per-address limits can be told apart.
 */
export function rawRequest(
  url: string,
  path: string,
  options: { method?: 'GET' | 'POST'; authorization?: string; body?: unknown; from?: string } = {},
): Promise<RawReply> {
  const target = new URL(url);
  const payload = options.body === undefined ? null : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (payload !== null) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: options.method ?? (payload === null ? 'GET' : 'POST'),
        headers,
        agent: false,
        ...(options.from ? { localAddress: options.from } : {}),
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text.startsWith('{') ? JSON.parse(text) : { text },
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload ?? undefined);
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Every log line the server printed (pino JSON). */
  logs: string[];
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** `node server/main.ts` in its own process, as production runs it, on a free port. */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const root = new URL('../../', import.meta.url).pathname;
  const child = spawn(process.execPath, [join(root, 'server/main.ts')], {
    env: { ...env, PORT: '0', HOST: '127.0.0.1' },
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let errors = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        logs.push(line);
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          resolve({ url: `http://127.0.0.1:${entry.port}`, port: entry.port, child, logs, exited });
        }
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${logs.join('\n')}\n${errors}`)));
  });
}
