/**
 * The sync server's backup and restore, for real: `node server/admin.ts backup` (pg_dump),
 * more sales after it, the database lost, `restore` (pg_restore into an empty database and a
 * new epoch), then a real till syncs and the server ends with every sale exactly once.
 * PGlite's folder backup goes the same way through the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, importCatalog } from '../../server/admin-ops.ts';
import { openPglite, pgliteDb } from '../../server/db.ts';
import { assertConverged, catalogCsv, enrolTill, productId, receive, type SyncedTill, syncedTill } from '../sync/support.ts';
import {
  freshPostgresDatabase,
  onHand,
  pgliteTemplate,
  pgUrl,
  serverFacts,
  startTestServer,
  type TestServer,
} from './harness.ts';
import { startProxy, type TcpProxy } from './tcp-proxy.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tilldesk-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The admin CLI as an operator runs it, against DATABASE_URL or a PGlite folder. */
function admin(
  env: { DATABASE_URL?: string; TILLDESK_SERVER_DATA?: string },
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
  delete childEnv.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'server/admin.ts'), ...args],
      { cwd: root, env: childEnv },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

if (!pgUrl) {
  console.log(
    'TILLDESK_TEST_PG_URL is not set: skipping the PostgreSQL dump/restore round trip (set it to a role that may CREATE DATABASE to run it)',
  );
}

describe.skipIf(!pgUrl)('PostgreSQL backup (pg_dump) and restore (pg_restore + new epoch) with a real till', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  let till: SyncedTill;
  const databases: { url: string; drop(): Promise<void> }[] = [];

  beforeAll(async () => {
    const first = await freshPostgresDatabase();
    databases.push(first);
    server = await startTestServer('postgres', { databaseUrl: first.url });
    proxy = await startProxy(server.port);
    await importCatalog(server.db, catalogCsv(['MILK', 'BREAD']));
  }, 120_000);
  afterAll(async () => {
    till?.close();
    await proxy?.close();
    await server?.close();
    for (const db of databases) await db.drop();
  });

  it('restores into an empty database, tills re-push what the backup lacked, nothing doubled', async () => {
    const [first] = databases;
    const store = await server.store('bk');
    till = syncedTill({ client: { random: () => 0.5 } });
    await enrolTill(till, proxy.url, await server.code(store));
    const milk = productId(till, 'MILK');
    await receive(till, 'MILK', 20_000);
    await till.sell(milk);
    await till.sell(milk);
    expect((await till.sync()).waiting).toBe(0);

    const dump = join(scratch, 'server.dump');
    const backup = await admin({ DATABASE_URL: first?.url }, 'backup', '--out', dump);
    expect(backup.stderr).toBe('');
    expect(backup).toMatchObject({ code: 0, stdout: expect.stringMatching(/Backup written to .*server\.dump/) });
    expect(readFileSync(dump).subarray(0, 5).toString()).toBe('PGDMP'); // pg_dump's custom format
    expect((await admin({ DATABASE_URL: first?.url }, 'backup', '--out', dump)).code).toBe(1); // never over a backup

    // After the backup: three more sales and a delivery reach the server...
    for (let i = 0; i < 3; i++) await till.sell(milk);
    await receive(till, 'BREAD', 6_000);
    expect((await till.sync()).waiting).toBe(0);
    const before = await serverFacts(server.db);
    expect(before.orders).toBe(5);

    // ...then the database is lost, and restored from the backup into a new, empty one.
    await server.close();
    await first?.drop();
    const second = await freshPostgresDatabase();
    databases.push(second);
    const restored = await admin({ DATABASE_URL: second.url }, 'restore', '--from', dump);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const epoch = /New epoch ([0-9a-f]{32})/.exec(restored.stdout)?.[1];
    expect(epoch).toBeTruthy();
    const again = await admin({ DATABASE_URL: second.url }, 'restore', '--from', dump);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/not empty/) });

    server = await startTestServer('postgres', { databaseUrl: second.url });
    proxy.setTarget(server.port);
    const state = await server.db.query<{ epoch: string }>('SELECT epoch FROM server_state');
    expect(state.rows[0]?.epoch).toBe(epoch);
    expect((await serverFacts(server.db)).orders).toBe(2); // what the backup held
    expect(await onHand(server.db, store, milk)).toBe(18_000);

    // The till hears the new epoch and pushes again what the restored server lacks.
    const status = await till.sync();
    expect(status).toMatchObject({ state: 'idle', waiting: 0, epoch });
    const after = await serverFacts(server.db);
    expect(after.orders).toBe(5);
    expect(after.movements).toBe(before.movements);
    expect(after.distinctOps).toBe(after.appliedOps);
    expect(after.ledger).toEqual([]);
    expect(await onHand(server.db, store, milk)).toBe(15_000);
    expect(await onHand(server.db, store, productId(till, 'BREAD'))).toBe(6_000);
    await assertConverged(server, till);
  }, 180_000);
});

describe('PGlite backup (its data folder) and restore (into an empty folder + new epoch)', () => {
  it('round-trips through the admin CLI and refuses a folder that holds a database', async () => {
    const live = join(scratch, 'pglite-live');
    const copy = join(scratch, 'pglite-restored');
    const file = join(scratch, 'pglite.tar.gz');
    // A server's folder, made from the migrated template (a fresh initdb takes many seconds).
    const seeded = pgliteDb(await PGlite.create({ dataDir: live, loadDataDir: await pgliteTemplate() }));
    await createStore(seeded, { id: 'early', name: 'Early' });
    await seeded.close();
    const backup = await admin({ TILLDESK_SERVER_DATA: live }, 'backup', '--out', file);
    expect(backup).toMatchObject({ code: 0, stdout: expect.stringMatching(/PGlite data folder/) });
    expect((await admin({ TILLDESK_SERVER_DATA: live }, 'create-store', '--id', 'late', '--name', 'Late')).code).toBe(0);

    const refused = await admin({ TILLDESK_SERVER_DATA: live }, 'restore', '--from', file);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/not empty/) });
    const restored = await admin({ TILLDESK_SERVER_DATA: copy }, 'restore', '--from', file);
    expect(restored.stderr).toBe('');
    const epoch = /New epoch ([0-9a-f]{32})/.exec(restored.stdout)?.[1];
    expect(epoch).toBeTruthy();
    expect(existsSync(copy)).toBe(true);

    const db = await openPglite(copy);
    try {
      const stores = await db.query<{ id: string }>('SELECT id FROM store ORDER BY id');
      expect(stores.rows.map((r) => r.id)).toEqual(['early']);
      expect((await db.query<{ epoch: string }>('SELECT epoch FROM server_state')).rows[0]?.epoch).toBe(epoch);
    } finally {
      await db.close();
    }
    const liveDb = await openPglite(live);
    try {
      const stores = await liveDb.query<{ id: string; epoch: string }>(
        'SELECT s.id, (SELECT epoch FROM server_state) AS epoch FROM store s ORDER BY s.id',
      );
      expect(stores.rows.map((r) => r.id)).toEqual(['early', 'late']);
      expect(stores.rows[0]?.epoch).not.toBe(epoch);
    } finally {
      await liveDb.close();
    }
  }, 240_000);
});
