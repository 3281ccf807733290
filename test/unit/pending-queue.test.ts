/**
 * The till's queue of pending actions (renderer/src/pending-queue.ts) against a real store: a
 * SQLite file in a temp folder, made to refuse writes for real with `chattr +i` on the database
 * and its WAL (the handle stays open; every write fails with SQLITE_IOERR_WRITE, reads go on).
 * And a transport that loses the answer of a call the store did commit, as a dropped
 * connection does: the queue must read back instead of sending it twice.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Call, createCartQueue, type QueueState } from '../../renderer/src/pending-queue.ts';
import { withCheckDigit } from '../../shared/barcode.ts';
import type { ApiError } from '../../shared/errors.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop | undefined;
let frozen: string[] = [];
afterEach(() => {
  if (frozen.length > 0) execFileSync('chattr', ['-i', ...frozen]);
  frozen = [];
  shop?.close();
  shop = undefined;
});

const milk = '4006381333931';
const bread = '5012345678900';
const fast = () => 20;

/** The store's database and WAL files can no longer be changed, even by root. */
function freeze(s: Shop): void {
  const path = s.till.store.path;
  const files = [path, `${path}-wal`].filter((f) => existsSync(f));
  expect(files).toHaveLength(2);
  execFileSync('chattr', ['+i', ...files]);
  frozen = files;
}

function thaw(): void {
  execFileSync('chattr', ['-i', ...frozen]);
  frozen = [];
}

function count(s: Shop, sql: string, ...params: unknown[]): number {
  return (s.till.db.prepare(sql).get(...params) as { n: number }).n;
}

function until(queue: { state(): QueueState }, done: (s: QueueState) => boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (done(queue.state())) resolve();
      else if (Date.now() - started > ms) reject(new Error(`queue stuck: ${JSON.stringify(queue.state().pending)}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function storeCall(s: Shop): Call {
  return ((name: string, input: unknown) => s.api.call(name, input)) as Call;
}

describe('the queue of pending actions', () => {
  it('sends actions one at a time in order, and the store ends as the cashier left it', async () => {
    shop = makeShop();
    const queue = createCartQueue({ call: storeCall(shop), delay: fast });
    const a = queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    queue.push({ kind: 'scan', code: bread, guess: 'looking' });
    const edit = queue.push({ kind: 'updateLine', lineId: a.lineId, quantity: 5000 });
    expect((await edit.outcome).kind).toBe('saved');
    const current = await shop.ok<Order>('sale.current', {});
    expect(current.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['MILK-1L', 5000],
      ['BREAD-800', 1000],
    ]);
    expect(queue.state().confirmed).toEqual(current);
    expect(queue.state().pending).toEqual([]);
    expect(queue.state().named.get(a.lineId)).toBe(current.lines[0]?.id);
  });

  it('keeps a sale scanned and paid while the store refuses writes, and saves it whole, once, when it can again', async () => {
    shop = makeShop();
    const faults: ApiError[] = [];
    const queue = createCartQueue({
      call: storeCall(shop),
      delay: fast,
      onChange: (s) => s.fault && faults.push(s.fault),
    });
    expect((await queue.push({ kind: 'scan', code: milk, guess: 'looking' }).outcome).kind).toBe('saved');
    const before = {
      completed: count(shop, "SELECT count(*) AS n FROM orders WHERE state = 'completed'"),
      outbox: count(shop, 'SELECT count(*) AS n FROM outbox'),
    };

    freeze(shop);
    const scan = queue.push({ kind: 'scan', code: bread, guess: 'looking' });
    const more = queue.push({ kind: 'scan', code: bread, guess: 'looking' });
    const paid = queue.push({ kind: 'complete', tenders: [{ kind: 'cash', amount: 2000 }], total: 897, change: 1103 });
    expect((await scan.outcome).kind).toBe('waiting');
    expect((await more.outcome).kind).toBe('waiting');
    expect((await paid.outcome).kind).toBe('waiting');
    // Tried again and again while the files stay read-only; nothing half-written meanwhile.
    await until(queue, () => faults.length >= 3);
    expect(queue.state().pending.map((p) => p.action.kind)).toEqual(['scan', 'scan', 'complete']);
    expect(queue.state().fault?.code).toMatch(/^(unavailable|internal)$/);
    expect(queue.state().completed).toBeNull();
    expect(count(shop, 'SELECT count(*) AS n FROM order_line')).toBe(1);
    expect(count(shop, "SELECT count(*) AS n FROM orders WHERE state = 'completed'")).toBe(before.completed);

    thaw();
    await until(queue, (s) => s.pending.length === 0);
    const done = queue.state().completed;
    expect(done?.state).toBe('completed');
    expect(done?.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['MILK-1L', 1000],
      ['BREAD-800', 2000],
    ]);
    expect(done?.total).toBe(199 + 2 * 349);
    expect(done?.tenders.map((t) => [t.kind, t.amount, t.change])).toEqual([['cash', 897, 1103]]);
    expect(queue.state().fault).toBeNull();
    expect(count(shop, "SELECT count(*) AS n FROM orders WHERE state = 'completed'")).toBe(before.completed + 1);
    expect(count(shop, "SELECT count(*) AS n FROM outbox WHERE type = 'sale.completed'")).toBe(before.outbox + 1);
    expect(count(shop, "SELECT count(*) AS n FROM orders WHERE state = 'open'")).toBe(0);
  });

  it('never sends twice what the store committed when the answer was lost on the way back', async () => {
    shop = makeShop();
    const s = shop;
    let lose = 0;
    let sent = 0;
    // A dropped connection after the store committed: the call happened, its answer never arrives.
    const lossy: Call = (async (name: string, input: unknown) => {
      const result = await s.api.call(name, input);
      if (name !== 'sale.current' && name !== 'sale.order') sent++;
      if (lose > 0 && name !== 'sale.current' && name !== 'sale.order') {
        lose--;
        return { ok: false, error: { code: 'unavailable', reason: 'host_unreachable', message: 'connection reset' } };
      }
      return result;
    }) as Call;
    const queue = createCartQueue({ call: lossy, delay: fast });
    lose = 1;
    const first = queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    expect((await first.outcome).kind).toBe('waiting');
    await until(queue, (q) => q.pending.length === 0);
    lose = 1;
    queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    await until(queue, (q) => q.pending.length === 0);
    expect((await s.ok<Order>('sale.current', {})).lines.map((l) => l.quantity)).toEqual([2000]);
    lose = 1;
    queue.push({ kind: 'complete', tenders: [{ kind: 'cash', amount: 500 }], total: 398, change: 102 });
    await until(queue, (q) => q.pending.length === 0);
    expect(queue.state().completed?.state).toBe('completed');
    expect(count(s, "SELECT count(*) AS n FROM orders WHERE state = 'completed'")).toBe(1);
    expect(count(s, 'SELECT count(*) AS n FROM tender')).toBe(1);
    // Three writes, each answered once and lost once: three calls, not six.
    expect(sent).toBe(3);
  });

  it('drops what the store refuses for good, with why, and carries on with the rest', async () => {
    shop = makeShop();
    const refused: string[] = [];
    const queue = createCartQueue({ call: storeCall(shop), delay: fast, onRefused: (e) => refused.push(e.reason) });
    // A well-formed code (its check digit right) this shop does not sell.
    const unknown = queue.push({ kind: 'scan', code: withCheckDigit('400638133394'), guess: 'looking' });
    const onUnknown = queue.push({ kind: 'updateLine', lineId: unknown.lineId, quantity: 3000 });
    const good = queue.push({ kind: 'scan', code: bread, guess: 'looking' });
    expect(await unknown.outcome).toEqual({ kind: 'refused', error: expect.objectContaining({ reason: 'unknown_barcode' }) });
    expect((await onUnknown.outcome).kind).toBe('saved'); // nothing left to change: dropped quietly
    expect((await good.outcome).kind).toBe('saved');
    expect(refused).toEqual(['unknown_barcode']);
    expect((await shop.ok<Order>('sale.current', {})).lines.map((l) => l.sku)).toEqual(['BREAD-800']);
  });

  it('waits for a manager on a discount over the limit, then sends it with the approval; a cancel drops it', async () => {
    shop = makeShop();
    const queue = createCartQueue({ call: storeCall(shop), delay: fast });
    const scan = queue.push({ kind: 'scan', code: bread, guess: 'looking' });
    const discount = queue.push({ kind: 'updateLine', lineId: scan.lineId, lineDiscount: 200 });
    const after = queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    expect((await discount.outcome).kind).toBe('manager');
    expect(queue.state().manager?.permission).toBe('discount_over_limit');
    expect(queue.state().pending.map((p) => p.action.kind)).toEqual(['updateLine', 'scan']);
    queue.approve({ staffId: shop.manager, pin: '2222' });
    expect((await after.outcome).kind).toBe('saved');
    const sale = await shop.ok<Order>('sale.current', {});
    expect(sale.lines.map((l) => [l.sku, l.lineDiscount])).toEqual([
      ['BREAD-800', 200],
      ['MILK-1L', 0],
    ]);

    const again = queue.push({ kind: 'orderDiscount', amount: 300 });
    expect((await again.outcome).kind).toBe('manager');
    queue.cancelOverride();
    expect(queue.state().pending).toEqual([]);
    expect((await shop.ok<Order>('sale.current', {})).orderDiscount).toBe(0);
  });

  it('lets a screen wait until the store has everything, and ignores a fresh read while actions wait', async () => {
    shop = makeShop();
    const queue = createCartQueue({ call: storeCall(shop), delay: fast });
    freeze(shop);
    queue.push({ kind: 'scan', code: milk, guess: 'looking' });
    let idle = false;
    void queue.idle().then(() => {
      idle = true;
    });
    await until(queue, (q) => q.fault !== null);
    queue.loaded(null);
    expect(queue.state().pending).toHaveLength(1);
    expect(idle).toBe(false);
    thaw();
    queue.retryNow();
    await queue.idle();
    expect(queue.state().confirmed?.lines).toHaveLength(1);
  });
});
