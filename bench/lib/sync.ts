/**
 * What both sync figures need: a till with a day of sales queued in its outbox (cached),
 * and the sync server (`node server/main.ts`, as production runs it) on a fresh PostgreSQL
 * database of its own.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../shared/random.ts';
import type { Context } from './context.ts';
import { cachedFixture, catalogFixture } from './fixtures.ts';
import { freshPostgres, type Postgres, type SyncServer, startSyncServer } from './postgres.ts';
import { demo, openBenchTill } from './till.ts';

/** Why the sync figures cannot run here, or null. */
export function missingSyncCode(ctx: Context): string | null {
  for (const path of ['server/main.ts', 'server/push.ts', 'db/sync-client.ts']) {
    if (!existsSync(join(ctx.root, path))) return `${path} does not exist yet`;
  }
  return null;
}

/**
 * A till that was offline for a day: `sales` sales (1–5 lines, cash or card) rung up through
 * the contract on a clock that moves five seconds a sale, its outbox holding exactly them
 * (and the shift it opened). Built with synchronous=OFF and cached.
 */
export function queuedFixture(ctx: Context, sales: number): Promise<string> {
  return cachedFixture(
    ctx,
    `queued-${sales}`,
    ['db/sale.ts', 'db/cart.ts', 'db/stock.ts', 'db/outbox.ts', 'db/order-read.ts'],
    async (dir) => {
      const catalog = await catalogFixture(ctx, 1000);
      copyFileSync(join(catalog, 'tilldesk.db'), join(dir, 'tilldesk.db'));
      let clock = Date.parse('2025-06-02T07:00:00.000Z');
      const t = openBenchTill(dir, { now: () => new Date(clock) });
      try {
        t.store.db.pragma('synchronous = OFF');
        t.store.db.exec('DELETE FROM outbox'); // synced before the network went
        await t.signIn(demo.cashier.name, demo.cashier.pin);
        await t.ok('shift.open', { float: 10_000 });
        const products = t.store.db
          .prepare("SELECT id FROM product WHERE unit = 'each' AND active = 1 ORDER BY rowid LIMIT 800")
          .pluck()
          .all() as string[];
        const next = seededRandom(sales);
        for (let i = 0; i < sales; i++) {
          const lines = 1 + Math.floor(next() * 5);
          for (let l = 0; l < lines; l++) {
            await t.ok('sale.addItem', { productId: products[Math.floor(next() * products.length)] ?? '' });
          }
          const order = await t.ok('sale.current', {});
          const total = order?.total ?? 0;
          await t.ok('sale.complete', {
            tenders: [i % 3 === 0 ? { kind: 'card', amount: total, reference: `A${i}` } : { kind: 'cash', amount: total }],
          });
          clock += 5000;
        }
      } finally {
        t.close();
      }
    },
  );
}

/** A fresh database and a sync server on it for `run`; both gone afterwards. */
export async function withSyncServer<T>(
  ctx: Context,
  run: (db: Postgres, server: SyncServer) => Promise<T>,
): Promise<T | { reason: string }> {
  const db = await freshPostgres();
  if ('reason' in db) return db;
  ctx.machine.postgres = db.version;
  try {
    // The rate limits (600 pushes a minute per till, 20 enrolments a minute) are not what is measured.
    const server = await startSyncServer(ctx.root, db.url, {
      TILLDESK_RATE_LIMIT: '1000000',
      TILLDESK_ENROL_LIMIT: '1000000',
      TILLDESK_ADDRESS_LIMIT: '1000000',
    });
    try {
      return await run(db, server);
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}
