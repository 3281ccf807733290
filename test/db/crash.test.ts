import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/stock.ts';
import { makeShop, makeTill } from '../support/till.ts';

const child = fileURLToPath(new URL('../support/crash-child.ts', import.meta.url));
const kills = Number(process.env.TILLDESK_CRASH_KILLS ?? 200);

/** Starts the child, lets it sell for a random moment after it is ready, then SIGKILLs it. */
function runAndKill(dir: string, maxMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: string[] = [];
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => proc.kill('SIGKILL'), Math.random() * maxMs);
        else if (line.startsWith('done ')) reported.push(line.slice(5));
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('a till killed mid-sale', () => {
  it(`loses no reported sale and leaves no partial order across ${kills} SIGKILLs`, async () => {
    const shop = makeShop();
    const dir = shop.dir;
    shop.till.store.close();
    const reported = new Set<string>();
    let openAfterKill = 0;
    for (let i = 0; i < kills; i++) {
      for (const id of await runAndKill(dir, 60)) reported.add(id);
      const check = makeTill({ dir });
      const db = check.till.db;
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const completed = db.prepare("SELECT id, total, cash_rounding FROM orders WHERE state = 'completed'").all() as {
        id: string;
        total: number;
        cash_rounding: number;
      }[];
      const completedIds = new Set(completed.map((o) => o.id));
      for (const id of reported) expect(completedIds.has(id)).toBe(true);
      // Whole: every completed order has lines, tenders that pay it, a movement per line and its outbox op.
      const partial = db
        .prepare(
          `SELECT o.id FROM orders o WHERE o.state = 'completed' AND (
             (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) = 0
             OR (SELECT coalesce(sum(amount), 0) FROM tender t WHERE t.order_id = o.id) <> o.total + o.cash_rounding
             OR (SELECT count(*) FROM stock_movement m WHERE m.order_id = o.id) <> (SELECT count(*) FROM order_line l WHERE l.order_id = o.id)
             OR (SELECT count(*) FROM outbox x WHERE x.type = 'sale.completed' AND json_extract(x.payload, '$.order.id') = o.id) <> 1
             OR o.number IS NULL)`,
        )
        .all();
      expect(partial).toEqual([]);
      const orphans = db
        .prepare("SELECT count(*) AS n FROM tender t JOIN orders o ON o.id = t.order_id WHERE o.state = 'open'")
        .get();
      expect(orphans).toEqual({ n: 0 });
      expect(checkLedger(check.till)).toEqual([]);
      openAfterKill += (db.prepare("SELECT count(*) AS n FROM orders WHERE state = 'open'").get() as { n: number }).n;
      check.close();
    }
    const final = makeTill({ dir });
    const total = (final.till.db.prepare("SELECT count(*) AS n FROM orders WHERE state = 'completed'").get() as { n: number }).n;
    final.close();
    console.log(
      `crash test: ${kills} SIGKILLs, ${reported.size} sales reported completed and all found whole, ${total} completed in the store, ` +
        `${openAfterKill} times an open (unfinished) sale was carried over`,
    );
    expect(reported.size).toBeGreaterThan(kills / 4);
  }, 600_000);
});
