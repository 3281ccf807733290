import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupNow, listBackups, restoreBackup } from '../../db/backup.ts';
import { writeSettings } from '../../db/settings.ts';
import type { BackupFile } from '../../shared/backup.ts';
import { TillError } from '../../shared/errors.ts';
import { makeShop, makeTill } from '../support/till.ts';

let shop: ReturnType<typeof makeShop>;
afterEach(() => shop?.close());

async function sell(s: typeof shop, n: number) {
  for (let i = 0; i < n; i++) {
    await s.ok('sale.addItem', { productId: s.products.milk });
    await s.ok('sale.complete', { tenders: [{ kind: 'cash', amount: 500 }] });
  }
}

function completedIn(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM orders WHERE state = 'completed'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('backups', () => {
  it('copies the live store with the online API while sales go on, and keeps only the newest', async () => {
    let clock = Date.parse('2026-11-21T09:00:00Z');
    shop = makeShop({ now: () => new Date(clock) });
    writeSettings(shop.till.store, { backupKeep: 2 });
    await sell(shop, 3);
    const [first] = await Promise.all([backupNow(shop.till), sell(shop, 2)]);
    expect(first?.file).toMatch(/^tilldesk-20261121-090000\.db$/);
    const copied = completedIn(first?.path ?? '');
    expect(copied).toBeGreaterThanOrEqual(3);
    expect(copied).toBeLessThanOrEqual(5);
    clock += 60_000;
    await shop.ok<BackupFile>('backup.now', {});
    clock += 60_000;
    const third = await shop.ok<BackupFile>('backup.now', {});
    const kept = await shop.ok<BackupFile[]>('backup.list', {});
    expect(kept.map((b) => b.file)).toEqual(['tilldesk-20261121-090200.db', 'tilldesk-20261121-090100.db']);
    expect(completedIn(third.path)).toBe(5);
    const integrity = new Database(third.path, { readonly: true });
    expect(integrity.pragma('integrity_check', { simple: true })).toBe('ok');
    integrity.close();
  });

  it('restores a backup, keeping the replaced file, and refuses a damaged or newer one', async () => {
    shop = makeShop();
    await sell(shop, 2);
    const backup = await backupNow(shop.till);
    await sell(shop, 3);
    const dir = shop.dir;
    shop.till.store.close();

    const garbage = join(dir, 'backups', 'tilldesk-20990101-000000.db');
    writeFileSync(garbage, 'this is not a database');
    expect(() => restoreBackup(dir, garbage)).toThrow(TillError);
    expect(completedIn(join(dir, 'tilldesk.db'))).toBe(5);

    const { keptAs } = restoreBackup(dir, backup.path);
    expect(keptAs && existsSync(keptAs)).toBe(true);
    expect(completedIn(join(dir, 'tilldesk.db'))).toBe(2);
    const reopened = makeTill({ dir });
    expect(reopened.till.store.integrity).toBe('ok');
    reopened.close();
    expect(listBackups(join(dir, 'backups')).length).toBe(2);

    const newer = new Database(backup.path);
    newer.pragma('user_version = 999');
    newer.close();
    expect(() => restoreBackup(dir, backup.path)).toThrow(/schema 999/);
    shop = { ...shop, close: () => {} };
  });
});
