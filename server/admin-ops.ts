/** What the admin CLI does, as functions the tests call too. */
import { randomBytes } from 'node:crypto';
import { type CatalogImportReport, importCatalogCsv } from './catalog.ts';
import { changeSet, stampChanges } from './changes.ts';
import type { Db, Queryable } from './db.ts';
import { checkLedger, type LedgerDifference } from './stock.ts';

export { createEnrolmentCode } from './auth.ts';

export async function createStore(db: Db, store: { id: string; name: string; currency?: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO store (id, name, currency) VALUES ($1, $2, $3)', [store.id, store.name, store.currency ?? 'EUR']);
    // Every till's default location (db/migrations/0004-sales.sql).
    await tx.query("INSERT INTO location (store_id, id, name) VALUES ($1, 'shop', 'Shop floor')", [store.id]);
  });
}

export async function addLocation(db: Queryable, storeId: string, id: string, name: string): Promise<void> {
  await db.query(
    'INSERT INTO location (store_id, id, name) VALUES ($1, $2, $3) ON CONFLICT (store_id, id) DO UPDATE SET name = excluded.name',
    [storeId, id, name],
  );
}

export interface DeviceRow {
  id: string;
  storeId: string;
  name: string;
  lastSeq: number;
  lastSeenAt: Date | null;
  clockSkewMs: number | null;
  revokedAt: Date | null;
  /** When its token stops working unless used before (each use renews it). */
  tokenExpiresAt: Date;
}

export async function listDevices(db: Queryable, storeId?: string): Promise<DeviceRow[]> {
  const rows = await db.query<DeviceRow>(
    `SELECT id, store_id AS "storeId", name, last_seq AS "lastSeq", last_seen_at AS "lastSeenAt",
            clock_skew_ms AS "clockSkewMs", revoked_at AS "revokedAt", token_expires_at AS "tokenExpiresAt"
     FROM device WHERE $1::text IS NULL OR store_id = $1 ORDER BY created_at`,
    [storeId ?? null],
  );
  return rows.rows;
}

/** The device's token stops working at once; what it already pushed stays. */
export async function revokeDevice(db: Queryable, deviceId: string): Promise<boolean> {
  const result = await db.query('UPDATE device SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [deviceId]);
  return result.rowCount > 0;
}

/**
 * Run after restoring the database from a backup: tills that see the new epoch push again
 * whatever the backup lacks, and pull a fresh snapshot.
 */
export async function newEpoch(db: Queryable): Promise<string> {
  const epoch = randomBytes(16).toString('hex');
  await db.query('UPDATE server_state SET epoch = $1', [epoch]);
  return epoch;
}

/** Makes every till's pull cursor too old: each pulls a full snapshot next time. */
export async function resetPulls(db: Queryable): Promise<void> {
  await db.query('UPDATE server_state SET pull_floor = (SELECT value FROM change_clock) + 1');
  await db.query('UPDATE change_clock SET value = value + 1');
}

export async function importCatalog(
  db: Db,
  csv: string,
  options: { storeId?: string; minorDigits?: number } = {},
): Promise<CatalogImportReport> {
  return db.transaction(async (tx) => {
    const changes = changeSet();
    const report = await importCatalogCsv(tx, csv, options, changes);
    if (report.errors.length > 0) throw Object.assign(new Error('Catalog import refused'), { report });
    await stampChanges(tx, changes);
    return report;
  });
}

export function ledgerCheck(db: Queryable): Promise<LedgerDifference[]> {
  return checkLedger(db);
}
