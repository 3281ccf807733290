/**
 * The till's client keeps two push batches in flight (db/sync-client.ts). When the second
 * reaches the server before the first, the server answers it with a gap and applies
 * nothing of it; the client must settle the first, send the second again, and end with
 * every op on the server exactly once — here forced by holding back every first request.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalog } from '../../server/admin-ops.ts';
import { assertConverged, catalogCsv, enrolTill, productId, type SyncedTill, syncedTill } from '../sync/support.ts';
import { backends, startTestServer, type TestServer } from './harness.ts';

describe.each(backends())('pipelined pushes on %s', (backend) => {
  let server: TestServer;
  const tills: SyncedTill[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend);
    await importCatalog(server.db, catalogCsv(['PIPE1', 'PIPE2']));
  }, 60_000);
  afterAll(async () => {
    for (const t of tills) t.close();
    await server?.close();
  });

  it('a batch that overtakes the one before it goes up again; every op lands once', async () => {
    let pushes = 0;
    let gaps = 0;
    // Every other push request waits before it leaves: the next one, sent meanwhile, arrives first.
    const overtaking: typeof fetch = async (input, init) => {
      const isPush = String(input).includes('/v1/sync/push');
      if (isPush && pushes++ % 2 === 0) await sleep(200);
      const response = await fetch(input, init);
      if (!isPush) return response;
      const text = await response.text();
      if ((JSON.parse(text) as { gap?: unknown }).gap) gaps++;
      return new Response(text, { status: response.status, headers: response.headers });
    };
    const t = syncedTill({ client: { random: () => 0.5, maxBatchOps: 5, pipeline: 2, fetch: overtaking } });
    tills.push(t);
    const store = await server.store(`pipe-${backend}`);
    await enrolTill(t, server.url, await server.code(store));
    for (let i = 0; i < 30; i++) await t.sell(productId(t, i % 2 ? 'PIPE1' : 'PIPE2'));
    const status = await t.sync();
    expect(status).toMatchObject({ state: 'idle', waiting: 0, rejected: 0, lastError: null });
    expect(gaps).toBeGreaterThan(0);
    const held = await server.db.query<{ seqs: number; distinct: number }>(
      'SELECT count(*)::int AS seqs, count(DISTINCT op_id)::int AS distinct FROM applied_op WHERE device_id = $1',
      [status.deviceId],
    );
    expect(held.rows[0]?.seqs).toBe(held.rows[0]?.distinct);
    expect(held.rows[0]?.seqs).toBeGreaterThanOrEqual(30);
    await assertConverged(server, t);
    console.log(
      `[pipelined pushes, ${backend}] ${pushes} push requests for 30 sales in batches of 5; ${gaps} overtook the one before`,
    );
  }, 120_000);
});
