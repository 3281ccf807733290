/**
 * Figure 6: applying a stocktake ('stocktake.apply', a manager's one click) with many counted
 * lines. The count is started through the contract; its entries are written straight into
 * the store (arranging: ten thousand typed counts are not what is measured).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { uuidv7 } from '../shared/ids.ts';
import { seededRandom } from '../shared/random.ts';
import type { Context, Figure } from './lib/context.ts';
import { catalogFixture, sizeLabel, workCopy } from './lib/fixtures.ts';
import { notMeasured, type Row, timingRow } from './lib/report.ts';
import { shuffle, since, summarize } from './lib/stats.ts';
import { demo, openBenchTill } from './lib/till.ts';

const target = '≤ 1 s';

async function measure(ctx: Context, products: number, lines: number, repeats: number): Promise<Row> {
  const dir = workCopy(ctx, await catalogFixture(ctx, products), `stocktake-${lines}`);
  const t = openBenchTill(dir);
  try {
    const { db } = t.store;
    const staffId = await t.signIn(demo.manager.name, demo.manager.pin);
    const next = seededRandom(lines);
    const all = db.prepare("SELECT id FROM product WHERE unit = 'each' AND active = 1").pluck().all() as string[];
    if (all.length < lines * repeats) throw new Error(`the catalog has ${all.length} products, fewer than ${lines * repeats}`);
    const chosen = shuffle(all, next);
    const addCount = db.prepare(
      `INSERT INTO stocktake_count (id, stocktake_id, product_id, quantity, source, staff_id, device_id, counted_at, hlc)
       VALUES (?, ?, ?, ?, 'typed', ?, ?, ?, ?)`,
    );
    const times: number[] = [];
    let movements = 0;
    for (let r = 0; r < repeats; r++) {
      const productIds = chosen.slice(r * lines, (r + 1) * lines);
      const st = await t.ok('stocktake.start', { name: `Bench ${r + 1}`, scope: { kind: 'products', productIds } });
      db.transaction(() => {
        const at = t.till.now().toISOString();
        for (const productId of productIds) {
          addCount.run(
            uuidv7(),
            st.id,
            productId,
            1000 * (1 + Math.floor(next() * 30)),
            staffId,
            t.till.deviceId,
            at,
            t.till.nextHlc(),
          );
        }
      })();
      const start = performance.now();
      const result = await t.ok('stocktake.apply', { stocktakeId: st.id });
      times.push(since(start));
      movements += result.movements;
    }
    return timingRow(
      {
        figure: '6 stocktake apply: stocktake.apply',
        size: `${sizeLabel(lines)} lines`,
        target,
        note: `${movements} count movements written over ${repeats} stocktakes in a ${sizeLabel(products)}-product store.`,
      },
      summarize(times),
      (s) => s.median <= 1000,
    );
  } finally {
    t.close();
  }
}

export const stocktakeFigure: Figure = {
  id: 'stocktake',
  title: '6 stocktake apply: stocktake.apply',
  target,
  async run(ctx) {
    if (!existsSync(join(ctx.root, 'db/stocktake.ts'))) {
      return [notMeasured('6 stocktake apply: stocktake.apply', target, 'db/stocktake.ts does not exist yet')];
    }
    const plan = ctx.tiny
      ? [
          [100, 2],
          [300, 2],
        ]
      : [
          [1000, 5],
          [10_000, 3],
        ];
    const products = ctx.tiny ? 1000 : 100_000;
    const rows: Row[] = [];
    for (const [lines, repeats] of plan) rows.push(await measure(ctx, products, lines ?? 0, repeats ?? 1));
    return rows;
  },
};
