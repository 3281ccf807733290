/**
 * The disk refuses a write: a real full file system (a small tmpfs filled up), a real
 * read-only file (chattr +i: the kernel refuses writes to the open store even for root, as
 * on a disk remounted read-only after errors), a real read-only mount at start. Each time
 * the call answers with a typed `unavailable` error, nothing of the sale is half-written, the
 * till keeps running, and the same call succeeds once the fault is gone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type StartedTill, startTill } from '../../db/start.ts';
import { storeError } from '../../db/store-errors.ts';
import type { StartState } from '../../shared/backup.ts';
import type { ApiError } from '../../shared/errors.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop } from '../support/till.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const run = (command: string, ...args: string[]) => execFileSync(command, args, { encoding: 'utf8' });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A shop (shift open) made in `dir`, started as a till process starts it, the cashier signed in. */
async function startShop(dir: string) {
  const shop = makeShop({ dir });
  const { cashier, products } = shop;
  shop.till.store.close();
  const till = startTill({
    dataDir: dir,
    runtime: { transport: 'http', version: 'test' },
    integrityCheckDelayMs: null,
    log: () => {},
  });
  cleanups.push(() => till.stop());
  await ok(till, 'staff.signIn', { staffId: cashier, pin: '1111' });
  return { till, cashier, products };
}

async function call(till: StartedTill, name: string, input: unknown = {}) {
  return till.api.call(name, input);
}

async function ok<T>(till: StartedTill, name: string, input: unknown = {}): Promise<T> {
  const result = await call(till, name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function refused(till: StartedTill, name: string, input: unknown = {}): Promise<ApiError> {
  const result = await call(till, name, input);
  if (result.ok) throw new Error(`${name} was expected to be refused`);
  return result.error;
}

/** Every row a sale writes, counted: a refused sale must leave each count as it was. */
function rowCounts(till: StartedTill) {
  const db = till.running()?.till.db;
  if (!db) throw new Error('the till is not running');
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    completed: count("SELECT count(*) AS n FROM orders WHERE state = 'completed'"),
    lines: count('SELECT count(*) AS n FROM order_line'),
    tenders: count('SELECT count(*) AS n FROM tender'),
    movements: count('SELECT count(*) AS n FROM stock_movement'),
    outbox: count('SELECT count(*) AS n FROM outbox'),
    audit: count('SELECT count(*) AS n FROM audit'),
  };
}

async function ringUp(till: StartedTill, products: { milk: string; bread: string }) {
  await ok(till, 'sale.addItem', { productId: products.milk });
  return ok<Order>(till, 'sale.addItem', { productId: products.bread });
}

const tenders = { tenders: [{ kind: 'cash', amount: 1000 }] };

describe('a full disk', () => {
  it('refuses the sale with disk_full, writes none of it, and completes the same sale once space is freed', async () => {
    const mount = tempDir();
    run('mount', '-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount);
    cleanups.push(() => run('umount', '-l', mount));
    const { till, products } = await startShop(join(mount, 'data'));
    const open = await ringUp(till, products);
    // Give back the WAL's reused space, so the next commit needs new blocks, as after a checkpoint.
    till.running()?.till.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = rowCounts(till);

    const filler = join(mount, 'filler');
    const free = statfsSync(mount);
    writeFileSync(filler, Buffer.alloc(free.bavail * free.bsize));
    expect(statfsSync(mount).bavail).toBe(0);

    const error = await refused(till, 'sale.complete', tenders);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'disk_full', params: { folder: join(mount, 'data') } });
    expect(error.message).toMatch(/disk .* is full: this was not saved/);
    expect(rowCounts(till)).toEqual(before);
    // The till still runs: the sale is there, open, as it was.
    const current = await ok<Order>(till, 'sale.current');
    expect(current).toMatchObject({ id: open.id, state: 'open' });
    expect(current.lines).toHaveLength(2);
    expect((await refused(till, 'sale.addItem', { productId: products.milk })).reason).toBe('disk_full');
    expect((await ok<Order>(till, 'sale.current')).lines).toHaveLength(2);

    rmSync(filler);
    const completed = await ok<Order>(till, 'sale.complete', tenders);
    expect(completed).toMatchObject({ id: open.id, state: 'completed' });
    const after = rowCounts(till);
    expect(after.completed).toBe(before.completed + 1);
    expect(after.tenders).toBe(before.tenders + 1);
    expect(after.movements).toBe(before.movements + 2);
    expect(after.outbox).toBeGreaterThan(before.outbox);
    expect(till.running()?.till.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('a store file the kernel will not write (chattr +i on the open file and its WAL)', () => {
  it('refuses with store_read_only, rolls the sale back whole, and completes it once writable again', async () => {
    const dir = tempDir();
    const { till, products } = await startShop(dir);
    const path = join(dir, 'tilldesk.db');
    const open = await ringUp(till, products);
    const before = rowCounts(till);

    run('chattr', '+i', path, `${path}-wal`);
    cleanups.push(() => run('chattr', '-i', path, `${path}-wal`));
    const error = await refused(till, 'sale.complete', tenders);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'store_read_only', params: { path } });
    expect(rowCounts(till)).toEqual(before);
    expect(await ok<Order>(till, 'sale.current')).toMatchObject({ id: open.id, state: 'open' });

    run('chattr', '-i', path, `${path}-wal`);
    expect(await ok<Order>(till, 'sale.complete', tenders)).toMatchObject({ id: open.id, state: 'completed' });
    expect(rowCounts(till).completed).toBe(before.completed + 1);
    expect(till.running()?.till.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('a data folder on a read-only mount at start', () => {
  it('starts in recovery (read_only) instead of crashing, and runs once the mount is writable', async () => {
    const source = tempDir();
    const shop = makeShop({ dir: source });
    shop.till.store.close();
    const mount = tempDir();
    run('mount', '--bind', source, mount);
    cleanups.push(() => run('umount', '-l', mount));
    run('mount', '-o', 'remount,bind,ro', mount);

    const till = startTill({
      dataDir: mount,
      runtime: { transport: 'http', version: 'test' },
      integrityCheckDelayMs: null,
      log: () => {},
    });
    cleanups.push(() => till.stop());
    const state = await ok<StartState>(till, 'backup.startState');
    expect(state).toMatchObject({ state: 'recovery', problem: 'read_only', path: join(mount, 'tilldesk.db') });
    expect(await ok<StartState>(till, 'backup.retryStart')).toMatchObject({ state: 'recovery', problem: 'read_only' });

    run('mount', '-o', 'remount,bind,rw', mount);
    expect(await ok<StartState>(till, 'backup.retryStart')).toEqual({ state: 'running' });
    await ok(till, 'staff.signIn', { staffId: shop.cashier, pin: '1111' });
    const sale = await ringUp(till, shop.products);
    expect(await ok<Order>(till, 'sale.complete', tenders)).toMatchObject({ id: sale.id, state: 'completed' });
  });
});

describe('SQLite result codes as the cashier reads them', () => {
  const path = join(tmpdir(), 'tilldesk-no-such-folder', 'tilldesk.db');
  const cases: [string, string | null][] = [
    ['SQLITE_FULL', 'disk_full'],
    ['SQLITE_READONLY', 'store_read_only'],
    ['SQLITE_READONLY_DBMOVED', 'store_read_only'],
    ['SQLITE_IOERR_WRITE', 'store_io_error'],
    ['SQLITE_IOERR_FSYNC', 'store_io_error'],
    ['SQLITE_CANTOPEN', 'store_io_error'],
    ['SQLITE_CORRUPT', 'store_damaged'],
    ['SQLITE_NOTADB', 'store_damaged'],
    ['SQLITE_BUSY', 'store_busy'],
    ['SQLITE_CONSTRAINT_UNIQUE', null],
    ['SQLITE_ERROR', null],
  ];
  for (const [code, reason] of cases) {
    it(`${code} → ${reason ?? 'not a store fault (stays internal)'}`, () => {
      const typed = storeError(new Database.SqliteError('from SQLite', code), path);
      expect(typed?.reason ?? null).toBe(reason);
      if (typed) expect(typed.code).toBe('unavailable');
    });
  }

  it('an I/O error on a folder that cannot be written is put down to read-only', () => {
    const source = tempDir();
    mkdirSync(join(source, 'data'));
    writeFileSync(join(source, 'data', 'tilldesk.db'), '');
    const mount = tempDir();
    run('mount', '--bind', source, mount);
    cleanups.push(() => run('umount', '-l', mount));
    run('mount', '-o', 'remount,bind,ro', mount);
    const typed = storeError(
      new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'),
      join(mount, 'data', 'tilldesk.db'),
    );
    expect(typed?.reason).toBe('store_read_only');
  });
});
