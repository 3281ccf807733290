/**
 * Figure 1: completing a 5-line sale with 2 tenders, beside one bare durable SQLite commit
 * (a one-row INSERT in its own transaction, same connection, same pragmas, same file). The
 * two are measured in turn, sale by sale, so a busy moment of the machine hits both.
 */
import { seededRandom } from '../shared/random.ts';
import type { Context, Figure } from './lib/context.ts';
import { catalogFixture, sizeLabel, workCopy } from './lib/fixtures.ts';
import { type Row, timingRow } from './lib/report.ts';
import { since, summarize } from './lib/stats.ts';
import { demo, openBenchTill } from './lib/till.ts';

const target = 'ratio ≤ 1.5 at the median';

/** Distinct sellable products (sold by the item, active), picked at random but the same every run. */
function pickProducts(db: import('better-sqlite3').Database, count: number, seed: number): string[] {
  const next = seededRandom(seed);
  const max = (db.prepare('SELECT max(rowid) AS n FROM product').get() as { n: number }).n;
  const byRowid = db.prepare<[number], { id: string }>("SELECT id FROM product WHERE rowid = ? AND unit = 'each' AND active = 1");
  const picked = new Set<string>();
  for (let tries = 0; picked.size < count && tries < count * 50; tries++) {
    const row = byRowid.get(1 + Math.floor(next() * max));
    if (row) picked.add(row.id);
  }
  return [...picked];
}

async function measure(ctx: Context, products: number, sales: number): Promise<Row[]> {
  const dir = workCopy(ctx, await catalogFixture(ctx, products), `sale-${products}`);
  const t = openBenchTill(dir);
  try {
    const { db } = t.store;
    await t.signIn(demo.cashier.name, demo.cashier.pin);
    await t.ok('shift.open', { float: 10_000 });
    db.exec('CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT NOT NULL) STRICT');
    const insert = db.prepare('INSERT INTO bench_commit (at, note) VALUES (?, ?)');
    const bareCommit = () => insert.run(new Date().toISOString(), 'bench');
    const warmup = 3;
    const cpuOnly = ctx.tiny ? 4 : 50;
    const ids = pickProducts(db, (sales + warmup + cpuOnly) * 5, products);
    let rung = 0;
    /** Five lines added and paid by card and cash, through the contract: [complete ms, whole sale ms]. */
    const ringUp = async (): Promise<[number, number]> => {
      const i = rung++;
      const start = performance.now();
      for (let line = 0; line < 5; line++) {
        const productId = ids[(i * 5 + line) % ids.length] ?? '';
        await t.ok('sale.addItem', { productId });
      }
      const order = await t.ok('sale.current', {});
      if (order?.lines.length !== 5) throw new Error('the sale does not have 5 lines');
      const card = Math.floor(order.total / 2);
      const paying = performance.now();
      await t.ok('sale.complete', {
        tenders: [
          { kind: 'card', amount: card, reference: `BENCH${i}` },
          { kind: 'cash', amount: order.total - card },
        ],
      });
      return [since(paying), since(start)];
    };
    const complete: number[] = [];
    const whole: number[] = [];
    const bare: number[] = [];
    const bareSix: number[] = [];
    for (let i = 0; i < sales + warmup; i++) {
      let start = performance.now();
      bareCommit();
      const oneCommit = since(start);
      const [completeMs, wholeMs] = await ringUp();
      start = performance.now();
      for (let n = 0; n < 6; n++) bareCommit();
      const sixCommits = since(start);
      if (i < warmup) continue;
      bare.push(oneCommit);
      complete.push(completeMs);
      whole.push(wholeMs);
      bareSix.push(sixCommits);
    }
    // The same sales without waiting for the disk: how much of the time is the handler's own work.
    db.pragma('synchronous = OFF');
    const noSync: number[] = [];
    for (let i = 0; i < cpuOnly; i++) noSync.push((await ringUp())[0]);
    db.pragma('synchronous = FULL');
    const cpu = summarize(noSync).median;
    const commit = summarize(bare);
    const six = summarize(bareSix);
    const size = `${sizeLabel(products)} products`;
    const completed = summarize(complete);
    const ratio = completed.median / commit.median;
    return [
      timingRow(
        {
          figure: '1 sale: complete (5 lines, 2 tenders)',
          size,
          target,
          limit: { label: 'bare durable commit', value: commit.median, unit: 'ms' },
          note:
            `With synchronous=OFF (no wait for the disk) sale.complete takes ${cpu.toFixed(2)} ms (median of ${cpuOnly}): ` +
            `that much is the handler's own work, ${ratio > 1.5 ? 'more than the whole budget of ' : 'within the budget of '}` +
            `${(1.5 * commit.median).toFixed(2)} ms. Bare commit p95 ${commit.p95.toFixed(2)} ms.`,
          fix:
            'do less around the commit. sale.complete runs a few dozen statements: it loads the whole order (lines, tenders, ' +
            'refunds line by line) before its transaction and again after it, and writes each stock movement with two statements. ' +
            'Return the order from what the handler already holds and write the movements and on-hand changes in one statement each ' +
            '(db/sale.ts, db/order-read.ts, db/stock.ts). A disk with slower fsync (1–5 ms on most SSDs) leaves more room than this one.',
        },
        completed,
        (_s, r) => r !== null && r <= 1.5,
      ),
      timingRow(
        {
          figure: '1 sale: whole (5 × sale.addItem + sale.complete)',
          size,
          limit: { label: '6 bare durable commits', value: six.median, unit: 'ms' },
          note: 'Six transactions, each durable (synchronous=FULL): five lines added, then the payment.',
        },
        summarize(whole),
      ),
    ];
  } finally {
    t.close();
  }
}

export const saleFigure: Figure = {
  id: 'sale',
  title: '1 sale: complete (5 lines, 2 tenders)',
  target,
  async run(ctx) {
    const sizes = ctx.tiny ? [1000, 2000] : [100_000, 1_000_000];
    const sales = ctx.tiny ? 8 : 200;
    const rows: Row[] = [];
    for (const size of sizes) rows.push(...(await measure(ctx, size, sales)));
    return rows;
  },
};
