import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupNow, listBackups, restoreBackup, stampedFiles } from '../../db/backup.ts';
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

    // A backup cut off before its first page (its name taken, nothing in it) is refused, not restored as an empty shop.
    const empty = join(dir, 'backups', 'tilldesk-20990101-000001.db');
    writeFileSync(empty, '');
    expect(() => restoreBackup(dir, empty)).toThrow(/holds no Tilldesk data/);
    expect(completedIn(join(dir, 'tilldesk.db'))).toBe(2);

    const newer = new Database(backup.path);
    newer.pragma('user_version = 999');
    newer.close();
    expect(() => restoreBackup(dir, backup.path)).toThrow(/schema 999/);
    shop = { ...shop, close: () => {} };
  });

  it('keeps the backup it just wrote, however many are made in one second (backupKeep 1, 12 calls)', async () => {
    shop = makeShop({ now: () => new Date('2026-11-21T09:00:00Z') });
    writeSettings(shop.till.store, { backupKeep: 1 });
    const made: BackupFile[] = [];
    for (let i = 0; i < 12; i++) made.push(await shop.ok<BackupFile>('backup.now', {}));
    // Each is numbered past the last (never reusing a number retention freed), so each is the newest.
    expect(made.map((b) => b.file)).toEqual([
      'tilldesk-20261121-090000.db',
      ...Array.from({ length: 11 }, (_, i) => `tilldesk-20261121-090000-${i + 2}.db`),
    ]);
    const kept = await shop.ok<BackupFile[]>('backup.list', {});
    expect(kept.map((b) => b.file)).toEqual(['tilldesk-20261121-090000-12.db']);
    expect(completedIn(kept[0]?.path ?? '')).toBe(0);
  });

  it('keeps the new backup even when the clock went back, and backupKeep - 1 others', async () => {
    let clock = Date.parse('2026-11-21T09:05:00Z');
    shop = makeShop({ now: () => new Date(clock) });
    writeSettings(shop.till.store, { backupKeep: 2 });
    await shop.ok('backup.now', {});
    clock += 60_000;
    await shop.ok('backup.now', {});
    clock -= 10 * 60_000;
    const late = await shop.ok<BackupFile>('backup.now', {});
    expect(existsSync(late.path)).toBe(true);
    expect((await shop.ok<BackupFile[]>('backup.list', {})).map((b) => b.file)).toEqual([
      'tilldesk-20261121-090600.db',
      'tilldesk-20261121-085600.db',
    ]);
  });

  it('sorts copies of one second by their number: -10 is newer than -9', () => {
    const names = stampedFiles('tilldesk', '.db');
    const files = ['tilldesk-20261121-090000-9.db', 'tilldesk-20261121-090000.db', 'tilldesk-20261121-090000-10.db'];
    expect([...files].sort(names.newestFirst)).toEqual([
      'tilldesk-20261121-090000-10.db',
      'tilldesk-20261121-090000-9.db',
      'tilldesk-20261121-090000.db',
    ]);
  });

  it('gives two backups started together two files, and neither removes the other while it is written', async () => {
    shop = makeShop({ now: () => new Date('2026-11-21T09:00:00Z') });
    writeSettings(shop.till.store, { backupKeep: 1 });
    await sell(shop, 2);
    const both = await Promise.all([backupNow(shop.till), backupNow(shop.till)]);
    expect(new Set(both.map((b) => b.file)).size).toBe(2);
    // Whichever finished last pruned the other; the one left is whole.
    const kept = listBackups(join(shop.dir, 'backups'));
    expect(kept).toHaveLength(1);
    expect(both.map((b) => b.file)).toContain(kept[0]?.file);
    expect(completedIn(kept[0]?.path ?? '')).toBe(2);
  });

  it('says so, typed, when the backup folder is a file: backup.now and backup.list, nothing written', async () => {
    shop = makeShop();
    const folder = join(shop.dir, 'not-a-folder');
    writeFileSync(folder, 'a file where the folder should be');
    writeSettings(shop.till.store, { backupFolder: folder });
    expect(await shop.fails('backup.now', {})).toMatchObject({
      code: 'unavailable',
      reason: 'backup_failed',
      params: { folder },
    });
    expect(await shop.fails('backup.list', {})).toMatchObject({
      code: 'unavailable',
      reason: 'backup_folder_unreadable',
      params: { folder },
    });
    // A folder inside the file cannot be made either.
    writeSettings(shop.till.store, { backupFolder: join(folder, 'inside') });
    expect(await shop.fails('backup.now', {})).toMatchObject({ code: 'unavailable', reason: 'backup_failed' });
    expect(readdirSync(shop.dir).filter((f) => f.startsWith('tilldesk-2'))).toEqual([]);
  });
});
