/** Test support for till ↔ server sync: a real till (SQLite in a temp folder) enrolled with a real server. */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { writeSettings } from '../../db/settings.ts';
import { checkLedger } from '../../db/stock.ts';
import { databaseFileName } from '../../db/store.ts';
import { type SyncClient, type SyncClientOptions, startSync } from '../../db/sync-client.ts';
import type { Events } from '../../shared/api.ts';
import type { Order } from '../../shared/sale.ts';
import type { SyncedStockLevel, SyncStatus } from '../../shared/sync.ts';
import { serverFacts, type TestServer } from '../server/harness.ts';
import { addStaff, makeTill, openShift, signIn, type TestTill } from '../support/till.ts';

export interface SyncedTill extends TestTill {
  client: SyncClient;
  cashier: string;
  manager: string;
  owner: string;
  statusEvents: Events['sync.status'][];
  sync(): Promise<SyncStatus>;
  sell(productId: string, quantity?: number): Promise<Order>;
  waiting(): number;
}

let template: string | null = null;

/**
 * A till store with settings, three staff and an open shift, made once per test process and
 * copied for each new till (hashing three PINs with scrypt for every till would dominate).
 * Each copy gets its own installation id.
 */
function newTillFolder(): string {
  if (!template) {
    const dir = mkdtempSync(join(tmpdir(), 'tilldesk-template-'));
    const t = makeTill({ dir });
    writeSettings(t.till.store, { setupComplete: true, shopName: 'Corner Shop', currency: 'EUR' });
    const cashier = addStaff(t.till, 'Ada Cashier', 'cashier', '1111');
    addStaff(t.till, 'Max Manager', 'manager', '2222');
    addStaff(t.till, 'Olga Owner', 'owner', '3333');
    openShift(t.till, cashier);
    t.close();
    template = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  copyFileSync(join(template, databaseFileName), join(dir, databaseFileName));
  const db = new Database(join(dir, databaseFileName));
  db.prepare("DELETE FROM setting WHERE key = 'device_id'").run();
  db.close();
  return dir;
}

/**
 * A till with staff and an open shift, its sync client running only when told (no timers).
 * Given a folder that holds a till, it reopens it (a restart); otherwise it makes one.
 */
export function syncedTill(options: { dir?: string; now?: () => Date; client?: SyncClientOptions } = {}): SyncedTill {
  let dir = options.dir;
  const owned = !dir;
  if (!dir || !existsSync(join(dir, databaseFileName))) {
    const made = newTillFolder();
    if (dir) {
      copyFileSync(join(made, databaseFileName), join(dir, databaseFileName));
      rmSync(made, { recursive: true, force: true });
    } else dir = made;
  }
  const t = makeTill({ ...options, dir });
  // A folder that already holds a till (a restart) keeps its staff and shift.
  const staffId = (role: string) =>
    (t.till.db.prepare('SELECT id FROM staff WHERE role = ? ORDER BY created_at LIMIT 1').get(role) as { id: string } | undefined)
      ?.id;
  const existing = staffId('cashier');
  if (!existing) writeSettings(t.till.store, { setupComplete: true, shopName: 'Corner Shop', currency: 'EUR' });
  const cashier = existing ?? addStaff(t.till, 'Ada Cashier', 'cashier', '1111');
  const manager = staffId('manager') ?? addStaff(t.till, 'Max Manager', 'manager', '2222');
  const owner = staffId('owner') ?? addStaff(t.till, 'Olga Owner', 'owner', '3333');
  signIn(t.till, cashier);
  if (!existing) openShift(t.till, cashier);
  const client = startSync(t.till, { background: false, ...options.client });
  const statusEvents: Events['sync.status'][] = [];
  t.api.subscribe('sync.status', (e) => statusEvents.push(e));
  const close = t.close;
  return {
    ...t,
    client,
    cashier,
    manager,
    owner,
    statusEvents,
    sync: () => t.ok<SyncStatus>('sync.now', {}),
    async sell(productId, quantity = 1000) {
      await t.ok('sale.addItem', { productId, quantity });
      const open = await t.ok<Order>('sale.current', {});
      return t.ok<Order>('sale.complete', { tenders: [{ kind: 'card', amount: open.total, reference: 'A1' }] });
    },
    waiting: () => (t.till.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'waiting'").get() as { n: number }).n,
    close() {
      void client.stop();
      close();
      if (owned) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Enrols the till (as its owner) and pulls the catalog. */
export async function enrolTill(t: SyncedTill, serverUrl: string, code: string): Promise<SyncStatus> {
  signIn(t.till, t.owner);
  try {
    return await t.ok<SyncStatus>('sync.enrol', { serverUrl, code, deviceName: 'Till' });
  } finally {
    signIn(t.till, t.cashier);
  }
}

export const catalogCsv = (skus: string[]) =>
  [
    'sku,name,barcodes,category,unit,price,tax_class,cost,active',
    ...skus.map((sku) => `${sku},Item ${sku},,Dairy,each,1.99,VAT 5%,0.80,1`),
  ].join('\n');

export function productId(t: TestTill, sku: string): string {
  const row = t.till.db.prepare('SELECT id FROM product WHERE sku = ?').get(sku) as { id: string } | undefined;
  if (!row) throw new Error(`The till has no product ${sku}`);
  return row.id;
}

export function outboxOps(t: TestTill): { seq: number; op_id: string; status: string; hlc: string; occurred_at: string }[] {
  return t.till.db.prepare('SELECT seq, op_id, status, hlc, occurred_at FROM outbox ORDER BY seq').all() as {
    seq: number;
    op_id: string;
    status: string;
    hlc: string;
    occurred_at: string;
  }[];
}

/** Goods in at the till (a manager approves), so it has stock to sell. */
export const receive = (t: SyncedTill, sku: string, quantity: number) =>
  t.ok('stock.receive', {
    supplier: 'Acme',
    lines: [{ productId: productId(t, sku), quantity, unitCost: 80 }],
    override: { staffId: t.manager, pin: '2222' },
  });

/** The shop-floor level the till shows: server level + its own unsynced movements. */
export const shown = async (t: SyncedTill, sku: string) =>
  (await t.ok<SyncedStockLevel[]>('sync.stock', { productId: productId(t, sku) })).find((l) => l.locationId === 'shop')?.shown;

/** Everything the till ever queued is on the server exactly once, and both ledgers hold. */
export async function assertConverged(server: TestServer, t: SyncedTill): Promise<void> {
  const ops = outboxOps(t);
  expect(ops.filter((o) => o.status === 'waiting')).toEqual([]);
  const held = await server.db.query<{ op_id: string }>(
    "SELECT op_id::text FROM applied_op WHERE status = 'applied' AND op_id = ANY($1::uuid[])",
    [ops.map((o) => o.op_id)],
  );
  const perOp = new Map<string, number>();
  for (const row of held.rows) perOp.set(row.op_id, (perOp.get(row.op_id) ?? 0) + 1);
  for (const op of ops.filter((o) => o.status === 'applied')) expect(perOp.get(op.op_id) ?? 0).toBeGreaterThanOrEqual(1);
  const movementIds = (t.till.db.prepare('SELECT id FROM stock_movement').all() as { id: string }[]).map((m) => m.id);
  const onServer = await server.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM stock_movement WHERE id = ANY($1::text[])',
    [movementIds],
  );
  expect(onServer.rows[0]?.n).toBe(movementIds.length);
  expect(checkLedger(t.till)).toEqual([]);
  const facts = await serverFacts(server.db);
  expect(facts.distinctOps).toBe(facts.appliedOps);
  expect(facts.ledger).toEqual([]);
}
