/**
 * Upgrades (issue 8): a store written by every earlier schema version (test/fixtures/schema,
 * each made by that version's own code) opens with today's code, migrates, and keeps its data:
 * the same rows in every table it had, the same orders and settings, a ledger that still adds
 * up, and a till that rings up the next sale on it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import { checkLedger } from '../../db/stock.ts';
import { databaseFileName, openStore } from '../../db/store.ts';
import { openTill } from '../../db/till.ts';
import { schemaFixtures } from '../fixtures/schema/fixtures.ts';
import { signIn } from '../support/till.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tilldesk-upgrade-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const currentMigrations = readdirSync(join(root, 'db/migrations'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => Number(f.slice(0, 4)))
  .sort((a, b) => a - b);

interface Snapshot {
  counts: Record<string, number>;
  orders: unknown[];
  language: unknown;
}

function snapshot(db: Database.Database, tables: string[]): Snapshot {
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  const orders = tables.includes('orders') ? db.prepare('SELECT id, number, state, total FROM orders ORDER BY id').all() : [];
  const language = tables.includes('setting')
    ? (db.prepare("SELECT value FROM setting WHERE key = 'language'").get() as { value: unknown } | undefined)?.value
    : undefined;
  return { counts, orders, language };
}

/** Tables of shop data (not SQLite's, not the migration log, not FTS5 shadow tables, which are derived). */
function ownTables(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
    name: string;
    sql: string;
  }[];
  const virtual = rows.filter((r) => /CREATE VIRTUAL TABLE/i.test(r.sql)).map((r) => r.name);
  return rows
    .map((r) => r.name)
    .filter((name) => name !== 'schema_migration' && !virtual.includes(name) && !virtual.some((v) => name.startsWith(`${v}_`)))
    .sort();
}

describe.each(schemaFixtures)('a store from schema $file (made by $commit)', (fixture) => {
  const dataDir = join(work, fixture.file);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, databaseFileName), gunzipSync(readFileSync(join(root, 'test/fixtures/schema', fixture.file))));

  if (fixture.expect === 'refused') {
    it('is refused untouched: a migration it applied was edited since', () => {
      const path = join(dataDir, databaseFileName);
      const bytes = readFileSync(path);
      expect(() => openStore({ dataDir })).toThrow(expect.objectContaining({ reason: 'migration_changed' }));
      expect(readFileSync(path).equals(bytes)).toBe(true);
    });
    return;
  }

  it('opens, migrates forward and keeps every row', async () => {
    const raw = new Database(join(dataDir, databaseFileName), { readonly: true });
    const applied = (raw.prepare('SELECT version FROM schema_migration ORDER BY version').all() as { version: number }[]).map(
      (r) => r.version,
    );
    expect(applied, 'the fixture is the schema it says it is').toEqual(fixture.migrations);
    const tables = ownTables(raw);
    const before = snapshot(raw, tables);
    raw.close();
    expect(before.language).toBe(JSON.stringify('zh-CN'));

    const store = openStore({ dataDir });
    try {
      expect(store.integrity).toBe('ok');
      const after = snapshot(store.db, tables);
      const nowApplied = (
        store.db.prepare('SELECT version FROM schema_migration ORDER BY version').all() as { version: number }[]
      ).map((r) => r.version);
      expect(nowApplied).toEqual(currentMigrations);
      expect(after).toEqual(before);
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
      if (fixture.fill === 'shop' || fixture.fill === 'demo') {
        expect(before.orders.length).toBeGreaterThan(0);
        await ringUpOneMore(store);
      }
    } finally {
      store.close();
    }
  });
});

/** Today's till on the upgraded store: the ledger adds up and the next sale goes through. */
async function ringUpOneMore(store: ReturnType<typeof openStore>): Promise<void> {
  const till = openTill(store);
  expect(checkLedger(till)).toEqual([]);
  const manager = till.db.prepare("SELECT id FROM staff WHERE role IN ('owner', 'manager') ORDER BY role LIMIT 1").get() as {
    id: string;
  };
  signIn(till, manager.id);
  const api = createTillApi(till, { transport: 'ipc', version: 'test' });
  const ok = async (name: string, input: unknown) => {
    const result = await api.call(name as never, input as never);
    if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.error)}`);
    return result.value as Record<string, unknown>;
  };
  const hasShift = till.db.prepare('SELECT 1 FROM shift WHERE closed_at IS NULL').get();
  if (!hasShift) await ok('shift.open', { float: 10000 });
  // Whatever sale was left open on the old version is carried on; one more product goes on it.
  const product = till.db.prepare('SELECT id FROM product WHERE active = 1 ORDER BY sku LIMIT 1').get() as { id: string };
  const order = await ok('sale.addItem', { productId: product.id });
  const total = order.total as number;
  const done = await ok('sale.complete', { tenders: [{ kind: 'cash', amount: total }] });
  expect(done.state).toBe('completed');
  expect(checkLedger(till)).toEqual([]);
}
