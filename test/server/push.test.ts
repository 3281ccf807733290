/**
 * Push over real HTTP (DESIGN.md §6): exactly once under repeats and races, gaps refused,
 * poison ops rejected without blocking, auth, versions and limits. Each fault test ends
 * with the same three checks: nothing lost, nothing applied twice, stock = ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEpoch, revokeDevice } from '../../server/admin-ops.ts';
import {
  backends,
  call,
  enrolRaw,
  goodsInOp,
  onHand,
  pushBody,
  type RawDevice,
  saleOp,
  serverFacts,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

describe.each(backends())('push on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  const newStore = () => server.store(`store-${++stores}`);

  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  async function push(device: RawDevice, ops: unknown[]) {
    return call(server.url, '/v1/sync/push', device.token, pushBody(device, ops));
  }

  async function appliedFor(device: RawDevice) {
    const rows = await server.db.query<{ seq: number; n: number }>(
      'SELECT seq, count(*)::int AS n FROM applied_op WHERE device_id = $1 GROUP BY seq ORDER BY seq',
      [device.deviceId],
    );
    return rows.rows;
  }

  it('enrols with a one-time code and refuses it the second time', async () => {
    const store = await newStore();
    const code = await server.code(store);
    const body = { code: code.toLowerCase(), deviceName: 'Till 1', installId: 'i-1', schemaVersion: 2, firstSeq: 1 };
    const first = await call(server.url, '/v1/sync/enrol', null, body);
    expect(first.status).toBe(200);
    expect(first.body.storeId).toBe(store);
    expect(String(first.body.token)).toMatch(/^tdk_/);
    const again = await call(server.url, '/v1/sync/enrol', null, body);
    expect(again.status).toBe(401);
    expect(again.body.error?.reason).toBe('bad_enrolment_code');
    // Only the hash is stored.
    const stored = await server.db.query<{ token_hash: string }>('SELECT token_hash FROM device WHERE id = $1', [
      first.body.deviceId,
    ]);
    expect(stored.rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0]?.token_hash).not.toContain(String(first.body.token));
  });

  it('applies a batch once when the same batch is sent twice, one after the other', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const product = uuid();
    const ops = [
      goodsInOp(1, product, 10_000),
      saleOp(2, [{ productId: product }]),
      saleOp(3, [{ productId: product, quantity: 2000 }]),
    ];
    const first = await push(device, ops);
    const second = await push(device, ops);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body.lastSeq).toBe(3);
    expect(await appliedFor(device)).toEqual([
      { seq: 1, n: 1 },
      { seq: 2, n: 1 },
      { seq: 3, n: 1 },
    ]);
    expect(await onHand(server.db, store, product)).toBe(7000);
    expect(await server.ledger()).toEqual([]);
  });

  it('applies a batch once when five copies race in parallel', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const product = uuid();
    const ops = Array.from({ length: 20 }, (_, i) => saleOp(i + 1, [{ productId: product }]));
    const replies = await Promise.all(Array.from({ length: 5 }, () => push(device, ops)));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body.lastSeq).toBe(20);
      expect((reply.body.results as { status: string }[]).every((r) => r.status === 'applied')).toBe(true);
    }
    const seqs = await appliedFor(device);
    expect(seqs).toHaveLength(20);
    expect(seqs.every((s) => s.n === 1)).toBe(true);
    expect(await onHand(server.db, store, product)).toBe(-20_000);
    const movements = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM stock_movement WHERE store_id = $1', [
      store,
    ]);
    expect(movements.rows[0]?.n).toBe(20);
    expect(await server.ledger()).toEqual([]);
  });

  it('stops at a gap: a batch starting at last + 2 applies nothing and names the seq it needs', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const product = uuid();
    expect((await push(device, [saleOp(1, [{ productId: product }])])).body.lastSeq).toBe(1);
    const gap = await push(device, [saleOp(3, [{ productId: product }]), saleOp(4, [{ productId: product }])]);
    expect(gap.status).toBe(200);
    expect(gap.body.results).toEqual([]);
    expect(gap.body.gap).toEqual({ expectedSeq: 2 });
    expect(gap.body.lastSeq).toBe(1);
    expect(await appliedFor(device)).toEqual([{ seq: 1, n: 1 }]);
    expect(await onHand(server.db, store, product)).toBe(-1000);
    // A batch that repeats the past and then jumps applies the repeat and stops at the jump.
    const mixed = await push(device, [saleOp(2, [{ productId: product }]), saleOp(3, [{ productId: product }])]);
    expect(mixed.body.lastSeq).toBe(3);
    expect(await server.ledger()).toEqual([]);
  });

  it('rejects op 3 of 5 for good and applies the others; the rejection is the stored answer afterwards', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const product = uuid();
    const bad = saleOp(3, [{ productId: product }]);
    (bad.payload.movements[0] as { quantity: unknown }).quantity = 'lots';
    const ops = [
      saleOp(1, [{ productId: product }]),
      saleOp(2, [{ productId: product }]),
      bad,
      saleOp(4, [{ productId: product }]),
      saleOp(5, [{ productId: product }]),
    ];
    const reply = await push(device, ops);
    expect(reply.status).toBe(200);
    const results = reply.body.results as { seq: number; status: string; error?: { reason: string } }[];
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected', 'applied', 'applied']);
    expect(results[2]?.error?.reason).toBe('invalid_payload');
    expect(reply.body.lastSeq).toBe(5);
    // Nothing of the rejected op was written (its order neither).
    const order = await server.db.query('SELECT 1 FROM orders WHERE id = $1', [bad.payload.order.id]);
    expect(order.rowCount).toBe(0);
    expect(await onHand(server.db, store, product)).toBe(-4000);
    const again = await push(device, ops);
    expect(again.body).toEqual(reply.body);
    const rejected = await server.db.query<{ error_reason: string }>(
      "SELECT error_reason FROM applied_op WHERE device_id = $1 AND status = 'rejected'",
      [device.deviceId],
    );
    expect(rejected.rows).toEqual([{ error_reason: 'invalid_payload' }]);
    expect(await server.ledger()).toEqual([]);
  });

  it('rejects an unknown op type without blocking and keeps its payload for the back office', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const reply = await push(device, [
      {
        seq: 1,
        opId: uuid(),
        type: 'loyalty.points_added',
        payload: { points: 5 },
        occurredAt: new Date().toISOString(),
        hlc: `${String(Date.now()).padStart(15, '0')}-000000-x`,
      },
      {
        seq: 2,
        opId: uuid(),
        type: 'shift.opened',
        payload: { shiftId: 's1' },
        occurredAt: new Date().toISOString(),
        hlc: `${String(Date.now()).padStart(15, '0')}-000001-x`,
      },
    ]);
    expect((reply.body.results as { status: string }[]).map((r) => r.status)).toEqual(['rejected', 'applied']);
    const kept = await server.db.query<{ payload: unknown }>('SELECT payload FROM applied_op WHERE device_id = $1 AND seq = 1', [
      device.deviceId,
    ]);
    expect(kept.rows[0]?.payload).toEqual({ points: 5 });
  });

  it('keeps support notes from any till of the store, a resolution arriving before its note', async () => {
    const store = await newStore();
    const a = await enrolRaw(server, store);
    const b = await enrolRaw(server, store);
    const note = uuid();
    const stamp = (n: number) => `${String(Date.now()).padStart(15, '0')}-00000${n}-x`;
    const now = new Date().toISOString();
    const resolved = await push(b, [
      {
        seq: 1,
        opId: uuid(),
        type: 'note.resolved',
        payload: { id: note, resolution: 'Refunded', resolvedBy: 's2', resolvedAt: now },
        occurredAt: now,
        hlc: stamp(1),
      },
      {
        seq: 2,
        opId: uuid(),
        type: 'fulfilment.to_ship',
        payload: { orderId: 'o1', number: 'T01-000001', address: {} },
        occurredAt: now,
        hlc: stamp(2),
      },
    ]);
    expect((resolved.body.results as { status: string }[]).map((r) => r.status)).toEqual(['applied', 'applied']);
    const opened = await push(a, [
      {
        seq: 1,
        opId: uuid(),
        type: 'note.opened',
        payload: {
          id: note,
          customerId: 'c1',
          orderId: null,
          category: 'complaint',
          body: 'Milk was sour',
          author: { id: 's1', name: 'Ada' },
          createdAt: now,
          status: 'open',
        },
        occurredAt: now,
        hlc: stamp(3),
      },
    ]);
    expect(opened.status).toBe(200);
    const row = await server.db.query(
      'SELECT customer_id, category, body, status, resolution, author FROM support_note WHERE id = $1',
      [note],
    );
    expect(row.rows).toEqual([
      {
        customer_id: 'c1',
        category: 'complaint',
        body: 'Milk was sour',
        status: 'resolved',
        resolution: 'Refunded',
        author: 'Ada',
      },
    ]);
  });

  it('answers 401 to unknown and revoked tokens, and 403 to a token used for another device', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const other = await enrolRaw(server, store);
    const unknown = await call(
      server.url,
      '/v1/sync/push',
      'tdk_not-a-real-token',
      pushBody(device, [saleOp(1, [{ productId: 'p' }])]),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.reason).toBe('unknown_token');
    const crossed = await call(server.url, '/v1/sync/push', other.token, pushBody(device, [saleOp(1, [{ productId: 'p' }])]));
    expect(crossed.status).toBe(403);
    expect(await revokeDevice(server.db, device.deviceId)).toBe(true);
    const revoked = await push(device, [saleOp(1, [{ productId: 'p' }])]);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.reason).toBe('device_revoked');
    expect((await call(server.url, '/v1/sync/status', device.token)).status).toBe(401);
    expect((await call(server.url, '/v1/sync/pull?schemaVersion=2', device.token)).status).toBe(401);
    expect(await appliedFor(device)).toEqual([]);
  });

  it('answers 426 to an unknown schema version and accepts the previous one (ops without hlc)', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const product = uuid();
    const future = await call(
      server.url,
      '/v1/sync/push',
      device.token,
      pushBody(device, [saleOp(1, [{ productId: product }])], 99),
    );
    expect(future.status).toBe(426);
    expect(future.body.error?.acceptedSchemaVersions).toEqual([1, 2]);
    expect((await call(server.url, '/v1/sync/pull?schemaVersion=0', device.token)).status).toBe(426);
    const { hlc: _, ...v1op } = saleOp(1, [{ productId: product }]);
    const old = await call(server.url, '/v1/sync/push', device.token, pushBody(device, [v1op], 1));
    expect(old.status).toBe(200);
    expect(old.body.lastSeq).toBe(1);
    const stored = await server.db.query<{ hlc: string }>('SELECT hlc FROM applied_op WHERE device_id = $1', [device.deviceId]);
    expect(stored.rows[0]?.hlc).toMatch(/^\d{15}-000000-/);
    // Version 2 requires the hlc.
    const { hlc: __, ...missing } = saleOp(2, [{ productId: product }]);
    expect((await push(device, [missing])).status).toBe(400);
  });

  it('answers 409 with the last seq it holds when the epoch changed (restored from backup)', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    await push(device, [saleOp(1, [{ productId: 'p' }])]);
    const epoch = await newEpoch(server.db);
    try {
      const reply = await push(device, [saleOp(2, [{ productId: 'p' }])]);
      expect(reply.status).toBe(409);
      expect(reply.body.error).toMatchObject({ reason: 'epoch_changed', epoch, lastSeq: 1 });
      const next = await call(server.url, '/v1/sync/push', device.token, {
        ...pushBody(device, [saleOp(2, [{ productId: 'p' }])]),
        epoch,
      });
      expect(next.status).toBe(200);
      expect(next.body.lastSeq).toBe(2);
    } finally {
      // Other tests in this file hold the old epoch.
      await server.db.query('UPDATE server_state SET epoch = $1', [device.epoch]);
    }
  });

  it('refuses a different op under a seq already used (a till restored from its own backup)', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    await push(device, [saleOp(1, [{ productId: 'p' }])]);
    const reused = await push(device, [saleOp(1, [{ productId: 'p' }])]);
    expect(reused.status).toBe(409);
    expect(reused.body.error?.reason).toBe('seq_reused');
  });

  it('bounds batches and bodies', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const tooMany = Array.from({ length: 201 }, (_, i) => saleOp(i + 1, [{ productId: 'p' }]));
    const many = await push(device, tooMany);
    expect(many.status).toBe(400);
    expect(many.body.error?.reason).toBe('invalid_request');
    const small = await startTestServer(backend, { db: server.db, config: { bodyLimit: 10_000 } });
    try {
      const big = await call(
        small.url,
        '/v1/sync/push',
        device.token,
        pushBody(
          device,
          Array.from({ length: 100 }, (_, i) => saleOp(i + 1, [{ productId: 'p' }])),
        ),
      );
      expect(big.status).toBe(413);
      expect(big.body.error?.reason).toBe('body_too_large');
      const notConsecutive = await push(device, [saleOp(1, [{ productId: 'p' }]), saleOp(3, [{ productId: 'p' }])]);
      expect(notConsecutive.status).toBe(400);
      expect(notConsecutive.body.error?.reason).toBe('batch_not_consecutive');
    } finally {
      await small.close();
    }
    expect(await appliedFor(device)).toEqual([]);
  });

  it('limits requests per device', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const other = await enrolRaw(server, store);
    const limited = await startTestServer(backend, { db: server.db, config: { rateLimitPerMinute: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(limited.url, '/v1/sync/status', device.token)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Another till has its own allowance.
      expect((await call(limited.url, '/v1/sync/status', other.token)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('serves status, liveness, readiness and Prometheus metrics', async () => {
    const store = await newStore();
    const device = await enrolRaw(server, store);
    const status = await call(server.url, '/v1/sync/status', device.token);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ deviceId: device.deviceId, storeId: store, lastSeq: 0, acceptedSchemaVersions: [1, 2] });
    expect((await call(server.url, '/health/live', null)).body).toEqual({ ok: true });
    expect((await call(server.url, '/health/ready', null)).body).toEqual({
      ok: true,
      database: backend === 'pglite' ? 'pglite' : 'postgres',
    });
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/^# TYPE tilldesk_push_ops_total counter$/m);
    expect(text).toMatch(/^tilldesk_push_ops_total\{outcome="applied"\} \d+$/m);
    expect(text).toMatch(/^tilldesk_devices \d+$/m);
    expect(text).toMatch(/^tilldesk_http_requests_total\{route="\/v1\/sync\/status",status="200"\} \d+$/m);
  });

  it('keeps the whole database consistent after all of the above', async () => {
    const facts = await serverFacts(server.db);
    expect(facts.distinctOps).toBe(facts.appliedOps);
    expect(facts.ledger).toEqual([]);
  });
});
