/**
 * Figure 5: order history filters over a big history, as the Orders screen asks: the first
 * page of 100 ('orders.search'), then the count of matches up to 10,000 ('orders.count',
 * asked once the page is shown), then, scrolling on, the next page. The history is written
 * straight into the store by the tests' generator (test/support/orders.ts: completed sales
 * with lines, tenders, customers and some refunds, in one transaction) and cached.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { smallSet } from '../db/order-history.ts';
import type { OrderFilter } from '../shared/order-history.ts';
import { seededRandom } from '../shared/random.ts';
import type { Context, Figure } from './lib/context.ts';
import { cachedFixture, catalogFixture, sizeLabel } from './lib/fixtures.ts';
import { notMeasured, type Row, timingRow } from './lib/report.ts';
import { since, summarize } from './lib/stats.ts';
import { demo, openBenchTill } from './lib/till.ts';

const target = 'p95 ≤ 20 ms each';

async function ordersFixture(ctx: Context, orders: number): Promise<string> {
  const products = ctx.tiny ? 1000 : 10_000;
  const catalog = await catalogFixture(ctx, products);
  return cachedFixture(ctx, `orders-${orders}`, ['test/support/orders.ts'], async (dir) => {
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(catalog, 'tilldesk.db'), join(dir, 'tilldesk.db'));
    const { generateOrders } = await import('../test/support/orders.ts');
    const t = openBenchTill(dir);
    try {
      t.store.db.pragma('synchronous = OFF');
      const staffIds = (await t.ok('staff.list', {})).map((s) => s.id);
      generateOrders(t.till, {
        count: orders,
        staffIds,
        customers: Math.min(20_000, Math.ceil(orders / 20)),
        refundEvery: 25,
        seed: 3,
      });
    } finally {
      t.close();
    }
  });
}

type FilterMaker = (next: () => number) => OrderFilter;

/** Wall time and this process's CPU time of one call (the store runs in-process, synchronously). */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await call();
  const ms = since(start);
  const used = process.cpuUsage(cpu);
  return { value, ms, cpu: (used.user + used.system) / 1000 };
}

/** On a busy machine wall time includes waiting for a core; CPU time is the work itself. */
function cpuNote(cpu: number[]): string {
  const s = summarize(cpu);
  return `CPU time median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms.`;
}

async function measure(ctx: Context, orders: number, samples: number): Promise<Row[]> {
  const t = openBenchTill(await ordersFixture(ctx, orders));
  try {
    const { db } = t.store;
    await t.signIn(demo.manager.name, demo.manager.pin);
    const span = db.prepare('SELECT min(completed_at) AS first, max(completed_at) AS last FROM orders').get() as {
      first: string;
      last: string;
    };
    const first = Date.parse(span.first);
    const last = Date.parse(span.last);
    const column = (sql: string) => (db.prepare(sql).pluck().all() as string[]).filter(Boolean);
    const customers = column('SELECT id FROM customer LIMIT 5000');
    const staff = column('SELECT id FROM staff');
    const products = column('SELECT DISTINCT product_id FROM order_line WHERE rowid % 97 = 0 LIMIT 2000');
    const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)] as T;
    const day = 86_400_000;
    const filters: [string, FilterMaker][] = [
      ['latest', () => ({})],
      [
        'one day',
        (next) => {
          const from = first + Math.floor(next() * Math.max(1, last - first - day));
          return { from: new Date(from).toISOString(), to: new Date(from + day).toISOString() };
        },
      ],
      ['customer', (next) => ({ customerId: pick(customers, next) })],
      ['cashier', (next) => ({ staffId: pick(staff, next) })],
      ['tender', (next) => ({ tender: pick(['cash', 'card', 'voucher', 'other'] as const, next) })],
      ['tender nobody used', () => ({ tender: 'store_credit' })],
      [
        'amount range',
        (next) => {
          const min = 100 + Math.floor(next() * 3000);
          return { minAmount: min, maxAmount: min + 50 };
        },
      ],
      ['product', (next) => ({ productId: pick(products, next) })],
      ['refunds', () => ({ kind: 'refund' })],
      ['part of a number', (next) => ({ number: String(Math.floor(next() * 9000) + 1000) })],
      ['three digits of a number', (next) => ({ number: String(Math.floor(next() * 900) + 100) })],
      ['whole number', (next) => ({ number: `G01-${String(1 + Math.floor(next() * orders)).padStart(7, '0')}` })],
      [
        'customer in a month',
        (next) => {
          const from = first + Math.floor(next() * Math.max(1, last - first - 30 * day));
          return {
            customerId: pick(customers, next),
            from: new Date(from).toISOString(),
            to: new Date(from + 30 * day).toISOString(),
          };
        },
      ],
    ];
    const rows: Row[] = [];
    for (const [name, make] of filters) {
      const next = seededRandom(orders + name.length);
      const page = { wall: [] as number[], cpu: [] as number[] };
      const count = { wall: [] as number[], cpu: [] as number[] };
      const nextPages: number[] = [];
      let capped = 0;
      const warmup = 2;
      for (let i = 0; i < samples + warmup; i++) {
        const filter = make(next);
        const first = await timed(() => t.ok('orders.search', { ...filter, limit: 100 }));
        // The screen counts only when the first page does not hold every match; here always.
        const counted = await timed(() => t.ok('orders.count', filter));
        if (first.value.next === null && counted.value.n !== first.value.orders.length) {
          throw new Error(`${name}: the count disagrees with the page`);
        }
        if (i < warmup) continue;
        page.wall.push(first.ms);
        page.cpu.push(first.cpu);
        count.wall.push(counted.ms);
        count.cpu.push(counted.cpu);
        if (counted.value.capped) capped++;
        // Scrolling on: the page after the first.
        if (first.value.next && nextPages.length < 10) {
          const after = first.value.next;
          nextPages.push((await timed(() => t.ok('orders.search', { ...filter, after, limit: 100 }))).ms);
        }
      }
      const pages = summarize(nextPages);
      const size = `${sizeLabel(orders)} orders`;
      rows.push(
        timingRow(
          {
            figure: `5 order history: ${name}`,
            size,
            target: 'p95 ≤ 20 ms',
            note:
              `First page of 100; ${cpuNote(page.cpu)}` +
              (nextPages.length > 0
                ? ` The next page: median ${pages.median.toFixed(2)} ms, p95 ${pages.p95.toFixed(2)} ms.`
                : ' Every match fits on it.'),
            fix:
              'the page is led by the index that lists fewest matches (db/order-history.ts: read whole and sorted ' +
              `when it lists at most ${smallSet.toLocaleString('en-GB')} orders, else the history walked newest ` +
              'first); a filter that still misses needs an index in (filter, completed_at, id) order of its own.',
          },
          summarize(page.wall),
          (s) => s.p95 <= 20,
        ),
        timingRow(
          {
            figure: `5 order history: ${name} (count)`,
            size,
            target: 'p95 ≤ 20 ms',
            note:
              `orders.count, asked once the first page is shown, counts up to 10,000 (${capped} of ` +
              `${count.wall.length} filters had more); ${cpuNote(count.cpu)}`,
            fix:
              'the count visits at most 10,001 matches, led like the page; where those are far apart the filter ' +
              'needs an index of its own, or a lower cap.',
          },
          summarize(count.wall),
          (s) => s.p95 <= 20,
        ),
      );
    }
    return rows;
  } finally {
    t.close();
  }
}

export const ordersFigure: Figure = {
  id: 'orders',
  title: '5 order history filters',
  target,
  async run(ctx) {
    if (!existsSync(join(ctx.root, 'db/order-history.ts'))) {
      return [notMeasured('5 order history filters', target, 'db/order-history.ts does not exist yet')];
    }
    const sizes = ctx.tiny ? [2000, 5000] : [100_000, 1_000_000];
    const samples = ctx.tiny ? 5 : 40;
    const rows: Row[] = [];
    for (const size of sizes) rows.push(...(await measure(ctx, size, samples)));
    return rows;
  },
};
