/**
 * A till SIGKILLed mid-push, again and again: its child process rings up sales while its
 * sync client pushes to a real server over HTTP. After every restart and a final sync,
 * every sale the till reported is on the server exactly once, the till's outbox is empty,
 * and stock equals ledger on both sides.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../db/stock.ts';
import { importCatalog } from '../../server/admin-ops.ts';
import { backends, startTestServer, type TestServer } from '../server/harness.ts';
import { catalogCsv, enrolTill, outboxOps, syncedTill } from './support.ts';

const kills = 8;
const child = new URL('./till-child.ts', import.meta.url).pathname;

function runUntilKilled(dir: string, ms: number): Promise<{ done: string[] }> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done: string[] = [];
    let buffer = '';
    let stderr = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => proc.kill('SIGKILL'), ms);
        else if (line.startsWith('done ')) done.push(line.slice(5));
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve({ done });
      else reject(new Error(`till child exited by itself: ${stderr}`));
    });
  });
}

describe.each(backends())('a till killed mid-push on %s', (backend) => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    await importCatalog(server.db, catalogCsv(['K1', 'K2', 'K3']));
    dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses nothing and applies nothing twice across ${kills} SIGKILLs`, async () => {
    const store = await server.store('kill');
    const setup = syncedTill({ dir });
    await enrolTill(setup, server.url, await server.code(store));
    setup.close();

    const reported: string[] = [];
    let killedWithWaiting = 0;
    let appliedButUnacked = 0;
    for (let i = 0; i < kills; i++) {
      const { done } = await runUntilKilled(dir, 100 + Math.floor(Math.random() * 300));
      reported.push(...done);
      // Look at the till as the kill left it, before anything syncs again.
      const look = syncedTill({ dir });
      try {
        const waiting = outboxOps(look).filter((o) => o.status === 'waiting');
        if (waiting.length > 0) killedWithWaiting++;
        const onServer = await server.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM applied_op WHERE op_id = ANY($1::uuid[])',
          [waiting.map((o) => o.op_id)],
        );
        if ((onServer.rows[0]?.n ?? 0) > 0) appliedButUnacked++;
        expect(checkLedger(look.till)).toEqual([]);
      } finally {
        look.client.stop();
        look.till.store.close();
      }
    }

    const t = syncedTill({ dir });
    try {
      const status = await t.sync();
      expect(status).toMatchObject({ state: 'idle', waiting: 0, rejected: 0 });
      const ops = outboxOps(t);
      const device = status.deviceId ?? '';
      const held = await server.db.query<{ seq: number; op_id: string }>(
        'SELECT seq, op_id::text FROM applied_op WHERE device_id = $1 ORDER BY seq',
        [device],
      );
      // Every op once, in the till's own order, and nothing the till did not make.
      expect(held.rows.map((r) => [Number(r.seq), r.op_id])).toEqual(ops.map((o) => [o.seq, o.op_id]));
      const orders = await server.db.query<{ id: string }>('SELECT id FROM orders WHERE device_id = $1', [device]);
      const serverOrders = new Set(orders.rows.map((r) => r.id));
      for (const id of reported) expect(serverOrders.has(id)).toBe(true);
      const tillSales = t.till.db.prepare("SELECT count(*) AS n FROM orders WHERE state = 'completed'").get() as { n: number };
      expect(serverOrders.size).toBe(tillSales.n);
      const tillStock = t.till.db
        .prepare('SELECT product_id AS p, sum(quantity) AS q FROM stock_movement GROUP BY 1 ORDER BY 1')
        .all() as {
        p: string;
        q: number;
      }[];
      const serverStock = await server.db.query<{ p: string; q: number }>(
        'SELECT product_id AS p, on_hand AS q FROM stock_level WHERE store_id = $1 ORDER BY 1',
        [store],
      );
      expect(serverStock.rows.map((r) => ({ p: r.p, q: Number(r.q) }))).toEqual(tillStock);
      expect(checkLedger(t.till)).toEqual([]);
      expect(await server.ledger()).toEqual([]);
      console.log(
        `[kill test, ${backend}] ${kills} SIGKILLs, ${reported.length} sales reported, ${ops.length} ops pushed; ` +
          `${killedWithWaiting} kills left ops waiting, ${appliedButUnacked} left ops the server had applied but the till had not marked`,
      );
    } finally {
      t.close();
    }
  }, 120_000);
});
