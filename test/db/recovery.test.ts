/**
 * A store that is damaged at start: the till does not crash or start empty, it starts in
 * recovery (through the same API both transports use), names what happened and the file,
 * lists the backups, and one call restores the newest good one — with its sales — and runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupNow } from '../../db/backup.ts';
import { writeSettings } from '../../db/settings.ts';
import { type StartedTill, startTill } from '../../db/start.ts';
import type { Health } from '../../shared/app.ts';
import type { BackupFile, IntegrityReport, RestoreResult, StartState } from '../../shared/backup.ts';
import type { Result } from '../../shared/errors.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop } from '../support/till.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const cashierPin = '1111';

interface Shop {
  dir: string;
  path: string;
  cashier: string;
  /** Sale numbers in the backup, and the ones made after it (lost with the damaged file). */
  inBackup: string[];
  afterBackup: string[];
}

/** A shop with two sales, a backup, then three more sales; closed. */
async function shopWithBackup(): Promise<Shop> {
  const shop = makeShop();
  cleanups.push(() => rmSync(shop.dir, { recursive: true, force: true }));
  const sell = async () => {
    await shop.ok('sale.addItem', { productId: shop.products.milk });
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    const order = await shop.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 1000 }] });
    return order.number ?? '';
  };
  const inBackup = [await sell(), await sell()];
  await backupNow(shop.till);
  const afterBackup = [await sell(), await sell(), await sell()];
  shop.till.store.close();
  return { dir: shop.dir, path: join(shop.dir, 'tilldesk.db'), cashier: shop.cashier, inBackup, afterBackup };
}

function start(dir: string, integrityCheckDelayMs: number | null = null): StartedTill {
  const logged: string[] = [];
  const till = startTill({
    dataDir: dir,
    runtime: { transport: 'http', version: 'test' },
    integrityCheckDelayMs,
    log: (message) => logged.push(message),
  });
  cleanups.push(() => till.stop());
  return till;
}

async function value<T>(till: StartedTill, name: string, input: unknown = {}): Promise<T> {
  const result = await till.api.call(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function failure(till: StartedTill, name: string, input: unknown = {}) {
  const result = await till.api.call(name, input);
  if (result.ok) throw new Error(`${name} unexpectedly succeeded`);
  return result.error;
}

async function expectRecovery(till: StartedTill, problem: string): Promise<Extract<StartState, { state: 'recovery' }>> {
  const state = await value<StartState>(till, 'backup.startState');
  if (state.state !== 'recovery') throw new Error(`expected recovery (${problem}), the till is running`);
  expect(state.problem).toBe(problem);
  return state;
}

/** After a restore: sign in and find each sale by its number. */
async function expectSales(till: StartedTill, shop: Shop, present: string[], absent: string[]) {
  await value(till, 'staff.signIn', { staffId: shop.cashier, pin: cashierPin });
  for (const number of present) expect((await value<Order>(till, 'sale.byNumber', { number })).state).toBe('completed');
  for (const number of absent) expect((await failure(till, 'sale.byNumber', { number })).reason).toBe('unknown_order_number');
}

/** The page numbers a table's (or index's) b-tree occupies, from SQLite's own dbstat. */
function pagesOf(path: string, name: string): { pages: number[]; pageSize: number } {
  const db = new Database(path, { readonly: true });
  try {
    const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').pluck().all(name) as number[];
    return { pages, pageSize: db.pragma('page_size', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/** Overwrites whole pages with random bytes, as a failing disk or a stray write would. */
function scribble(path: string, pages: number[], pageSize: number): void {
  const bytes = readFileSync(path);
  for (const page of pages) randomBytes(pageSize).copy(bytes, (page - 1) * pageSize);
  writeFileSync(path, bytes);
}

describe('a damaged store at start', () => {
  const damage: { name: string; problem: string; harm: (shop: Shop) => void }[] = [
    {
      name: 'a file that is not a database',
      problem: 'not_a_database',
      harm: (shop) => writeFileSync(shop.path, 'Dear shop, this file was replaced by a text document.\n'.repeat(100)),
    },
    {
      name: 'a file cut to half its length',
      problem: 'truncated',
      harm: (shop) => truncateSync(shop.path, Math.floor(readFileSync(shop.path).length / 2)),
    },
    {
      name: 'a file cut in the middle of a page',
      problem: 'truncated',
      harm: (shop) => truncateSync(shop.path, readFileSync(shop.path).length - 1000),
    },
    {
      name: 'a file of 0 bytes',
      problem: 'empty',
      harm: (shop) => truncateSync(shop.path, 0),
    },
    {
      name: 'junk over the first page (header and schema)',
      problem: 'not_a_database',
      harm: (shop) => scribble(shop.path, [1], pagesOf(shop.path, 'sqlite_schema').pageSize),
    },
    {
      name: 'junk over the pages of the schema table',
      problem: 'damaged',
      harm: (shop) => {
        const { pages, pageSize } = pagesOf(shop.path, 'sqlite_schema');
        // Page 1 keeps its 100-byte header; the schema's b-tree behind it is junk.
        const bytes = readFileSync(shop.path);
        randomBytes(pageSize - 100).copy(bytes, 100);
        writeFileSync(shop.path, bytes);
        scribble(
          shop.path,
          pages.filter((p) => p !== 1),
          pageSize,
        );
      },
    },
    {
      name: 'junk over the outbox the till reads as it opens',
      problem: 'damaged',
      harm: (shop) => {
        const { pages, pageSize } = pagesOf(shop.path, 'outbox');
        scribble(shop.path, pages, pageSize);
      },
    },
  ];

  for (const { name, problem, harm } of damage) {
    it(`${name}: recovery (${problem}), then the newest backup restored with its sales`, async () => {
      const shop = await shopWithBackup();
      harm(shop);
      const harmed = readFileSync(shop.path);

      const till = start(shop.dir);
      const state = await expectRecovery(till, problem);
      expect(state.path).toBe(shop.path);
      expect(state.detail.length).toBeGreaterThan(0);
      expect(state.backups).toHaveLength(1);
      expect(state.backups[0]?.bytes).toBeGreaterThan(0);
      expect(till.running()).toBeNull();
      // Nothing else runs on a store in this state, and nothing is created in its place.
      const refused = await failure(till, 'sale.current');
      expect([refused.code, refused.reason]).toEqual(['unavailable', 'store_in_recovery']);
      expect(await failure(till, 'settings.get')).toMatchObject({ reason: 'store_in_recovery' });
      expect(readFileSync(shop.path).equals(harmed)).toBe(true);

      const restored = await value<RestoreResult>(till, 'backup.restore');
      expect(restored.after).toEqual({ state: 'running' });
      expect(restored.skipped).toEqual([]);
      expect(restored.restored.file).toBe(state.backups[0]?.file);
      // The damaged file is kept, byte for byte, beside the restored one.
      expect(restored.keptAs).toMatch(/tilldesk\.db\.before-restore-\d{8}-\d{6}$/);
      expect(readFileSync(restored.keptAs ?? '').equals(harmed)).toBe(true);
      expect(till.running()).not.toBeNull();
      await expectSales(till, shop, shop.inBackup, shop.afterBackup);
    });
  }

  it('a damaged page the quick checks cannot see: found in the background while the till runs, recovery at the next start', async () => {
    const shop = await shopWithBackup();
    const { pages, pageSize } = pagesOf(shop.path, 'order_line');
    scribble(shop.path, pages, pageSize);

    const first = start(shop.dir, 0);
    expect(first.state()).toEqual({ state: 'running' });
    const report = await first.running()?.check?.done;
    expect(report?.state).toBe('damaged');
    expect(report?.problems.join('\n')).toMatch(/page|malformed/);
    console.log(`background quick_check: ${report?.problems[0]?.split('\n').slice(0, 2).join(' / ')}`);
    await value(first, 'staff.signIn', { staffId: shop.cashier, pin: cashierPin });
    expect(await value<IntegrityReport>(first, 'backup.integrity')).toEqual(report);
    const health = await value<Health>(first, 'app.health');
    expect(health.ok).toBe(false);
    expect(health.integrity).toMatch(/^damaged: /);
    expect(existsSync(`${shop.path}.damaged`)).toBe(true);
    // Backups taken now copy the damage; the good one they would have rotated out is kept.
    const running = first.running();
    if (!running) throw new Error('the till is not running');
    writeSettings(running.store, { backupKeep: 1 });
    const copies = [await value<BackupFile>(first, 'backup.now'), await value<BackupFile>(first, 'backup.now')];
    await first.stop();

    const second = start(shop.dir);
    const state = await expectRecovery(second, 'damaged');
    expect(state.detail).toMatch(/The check at .* found/);
    expect(state.backups).toHaveLength(3);
    const restored = await value<RestoreResult>(second, 'backup.restore');
    expect(restored.skipped.sort()).toEqual(copies.map((c) => c.file).sort());
    expect(restored.restored.file).not.toMatch(copies.map((c) => c.file).join('|'));
    expect(existsSync(`${shop.path}.damaged`)).toBe(false);
    expect(second.state()).toEqual({ state: 'running' });
    await expectSales(second, shop, shop.inBackup, shop.afterBackup);
  });

  it('a sound store: the background check says ok and the till never leaves running', async () => {
    const shop = await shopWithBackup();
    const till = start(shop.dir, 0);
    expect(till.running()?.store.check.state).toMatch(/^(waiting|checking)$/);
    expect((await till.running()?.check?.done)?.state).toBe('ok');
    expect(till.running()?.store.integrity).toBe('ok');
    expect(existsSync(`${shop.path}.damaged`)).toBe(false);
    const refused = await failure(till, 'backup.restore');
    expect(refused.reason).toBe('not_in_recovery');
    await expectSales(till, shop, [...shop.inBackup, ...shop.afterBackup], []);
  });

  it('skips a newer backup that fails its own check and restores the newest good one', async () => {
    const shop = await shopWithBackup();
    const folder = join(shop.dir, 'backups');
    const good = readdirSync(folder)[0] ?? '';
    writeFileSync(join(folder, 'tilldesk-20991231-235959.db'), 'not a backup at all');
    writeFileSync(shop.path, 'junk');

    const till = start(shop.dir);
    const state = await expectRecovery(till, 'not_a_database');
    expect(state.backups.map((b) => b.file)).toEqual(['tilldesk-20991231-235959.db', good]);
    const restored = await value<RestoreResult>(till, 'backup.restore');
    expect(restored.skipped).toEqual(['tilldesk-20991231-235959.db']);
    expect(restored.restored.file).toBe(good);
    await expectSales(till, shop, shop.inBackup, shop.afterBackup);
  });

  it('with no backup: says so, and starts afresh only when asked, keeping the damaged file', async () => {
    const shop = await shopWithBackup();
    rmSync(join(shop.dir, 'backups'), { recursive: true });
    writeFileSync(shop.path, 'junk');

    const till = start(shop.dir);
    const state = await expectRecovery(till, 'not_a_database');
    expect(state.backups).toEqual([]);
    expect(state.backupFolder).toBe(join(shop.dir, 'backups'));
    expect(await failure(till, 'backup.restore')).toMatchObject({ code: 'not_found', reason: 'no_backups' });
    expect(await failure(till, 'backup.startEmpty', {})).toMatchObject({ code: 'invalid_input' });
    expect(await value<StartState>(till, 'backup.startEmpty', { confirm: true })).toEqual({ state: 'running' });
    const kept = readdirSync(shop.dir).filter((f) => f.startsWith('tilldesk.db.set-aside-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(shop.dir, kept[0] ?? ''), 'utf8')).toBe('junk');
    expect(await value(till, 'setup.status')).toMatchObject({ setupComplete: false });
  });

  it('a backup name that is not one is refused before anything runs', async () => {
    const shop = await shopWithBackup();
    writeFileSync(shop.path, 'junk');
    const till = start(shop.dir);
    for (const file of ['../tilldesk.db', '/etc/passwd', 'tilldesk-1.db']) {
      expect(await failure(till, 'backup.restore', { file })).toMatchObject({ code: 'invalid_input' });
    }
    expect(await failure(till, 'backup.restore', { file: 'tilldesk-20000101-000000.db' })).toMatchObject({
      reason: 'backup_not_found',
    });
    expect(readFileSync(shop.path, 'utf8')).toBe('junk');
  });
});

describe('the browser host on a damaged store (a real process, over HTTP)', () => {
  it('serves recovery instead of crashing, restores over HTTP, then serves the till', async () => {
    const shop = await shopWithBackup();
    writeFileSync(shop.path, 'Dear shop, this file was replaced by a text document.\n');
    const token = randomBytes(24).toString('base64url');
    const env: NodeJS.ProcessEnv = { ...process.env, TILLDESK_PORT: '0', TILLDESK_DATA_DIR: shop.dir, TILLDESK_TOKEN: token };
    delete env.NODE_OPTIONS;
    const child: ChildProcess = spawn(process.execPath, [join(root, 'db/host/main.ts')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 30 s:\n${output}`)), 30_000);
      const seen = (chunk: string) => {
        output += chunk;
        const match = /Tilldesk browser mode: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
        if (match?.[1] && /Data: .*/.test(output)) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.setEncoding('utf8').on('data', seen);
      child.stderr?.setEncoding('utf8').on('data', seen);
      child.once('exit', (code) => reject(new Error(`the host exited (${code}):\n${output}`)));
    });
    expect(output).toMatch(/cannot be opened \(not_a_database/);
    const call = async <T>(name: string, input: unknown = {}): Promise<{ status: number; body: Result<T> }> => {
      const response = await fetch(`${url}/api/op/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return { status: response.status, body: (await response.json()) as Result<T> };
    };
    const state = await call<StartState>('backup.startState');
    expect(state.body).toMatchObject({ ok: true, value: { state: 'recovery', problem: 'not_a_database', path: shop.path } });
    expect((await call('staff.list')).status).toBe(503);
    const restored = await call<RestoreResult>('backup.restore');
    expect(restored.body).toMatchObject({ ok: true, value: { after: { state: 'running' } } });
    expect((await call('staff.signIn', { staffId: shop.cashier, pin: cashierPin })).status).toBe(200);
    for (const number of shop.inBackup) {
      expect((await call<Order>('sale.byNumber', { number })).body).toMatchObject({ ok: true, value: { number } });
    }
    expect((await call('sale.byNumber', { number: shop.afterBackup[0] })).status).toBe(404);
  });
});
