/**
 * Group commit (server/push.ts): pushes that arrive while the server's group transactions
 * are busy are applied together in the next one. Each push in a group still gets its own
 * answer — applied, refused (revoked, old epoch) — and a second push of the same till waits
 * for the next group. An op PostgreSQL refuses in one push of a group is rejected alone.
 * push() is called in-process so the queue is filled before any group takes from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeDevice } from '../../server/admin-ops.ts';
import { HttpError } from '../../server/errors.ts';
import { groupsAtOnce, type PushHooks, type PushOutcome, push } from '../../server/push.ts';
import {
  backends,
  enrolRaw,
  goodsInOp,
  onHand,
  type RawDevice,
  saleOp,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

type Answer = PushOutcome | HttpError;

describe.each(backends())('group commit on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const send = (device: RawDevice, ops: unknown[], hooks: PushHooks = {}, epoch = device.epoch): Promise<Answer> =>
    push(server.db, { deviceId: device.deviceId, epoch, ops: ops as never }, hooks).catch((error: unknown) => {
      if (error instanceof HttpError) return error;
      throw error;
    });

  /** Fills every group slot with a push held before its commit; resolves the pushes when let go. */
  async function holdGroups(store: string) {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holders = await Promise.all(Array.from({ length: groupsAtOnce }, () => enrolRaw(server, store)));
    const pushes = holders.map((h) => send(h, [goodsInOp(1, uuid(), 1000)], { beforeCommit: () => gate }));
    return {
      async letGo() {
        release();
        for (const answer of await Promise.all(pushes)) expect(answer).not.toBeInstanceOf(HttpError);
      },
    };
  }

  /** The change id a product's stock change was stamped with: one per transaction. */
  const stampOf = async (storeId: string, productId: string) =>
    (
      await server.db.query<{ change_id: number }>(
        "SELECT change_id FROM change_log WHERE entity = 'stock' AND store_key = $1 AND entity_id = $2",
        [storeId, `shop/${productId}`],
      )
    ).rows[0]?.change_id;

  it('applies waiting pushes in one transaction, each answered on its own; a second push of a till waits for the next', async () => {
    const store = await server.store(`group-${++stores}`);
    const [a, b, revoked, stale] = await Promise.all(Array.from({ length: 4 }, () => enrolRaw(server, store)));
    if (!a || !b || !revoked || !stale) throw new Error('enrol failed');
    await revokeDevice(server.db, revoked.deviceId);
    const [pa, pb, pa2] = [uuid(), uuid(), uuid()];
    const held = await holdGroups(store);
    // Every group slot is busy: these all wait in the queue, in this order.
    const answers = [
      send(a, [saleOp(1, [{ productId: pa }]), saleOp(2, [{ productId: pb }])]),
      send(b, [saleOp(1, [{ productId: pb, quantity: 3000 }])]),
      send(revoked, [saleOp(1, [{ productId: pb }])]),
      send(stale, [saleOp(1, [{ productId: pb }])], {}, 'a-restored-epoch-0001'),
      send(a, [saleOp(3, [{ productId: pa2 }])]),
    ];
    await held.letGo();
    const [first, second, refused, outdated, later] = await Promise.all(answers);
    expect(first).toMatchObject({ applied: 2, reply: { lastSeq: 2 } });
    expect(second).toMatchObject({ applied: 1, reply: { lastSeq: 1 } });
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).reason).toBe('device_revoked');
    expect(outdated).toBeInstanceOf(HttpError);
    expect((outdated as HttpError).reason).toBe('epoch_changed');
    expect(later).toMatchObject({ applied: 1, reply: { lastSeq: 3 } });
    // a's first push and b's went up in one transaction; a's second in a later one.
    const together = await stampOf(store, pa);
    expect(await stampOf(store, pb)).toBe(together);
    expect(await stampOf(store, pa2)).toBeGreaterThan(together ?? Number.MAX_SAFE_INTEGER);
    expect(await onHand(server.db, store, pb)).toBe(-4000);
    const held2 = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM applied_op WHERE device_id = ANY($1)', [
      [revoked.deviceId, stale.deviceId],
    ]);
    expect(held2.rows[0]?.n).toBe(0);
    expect(await server.ledger()).toEqual([]);
  });

  it('an op PostgreSQL refuses in one push of a group rejects that op alone; the other pushes go through', async () => {
    const store = await server.store(`group-${++stores}`);
    const [a, b, c] = await Promise.all(Array.from({ length: 3 }, () => enrolRaw(server, store)));
    if (!a || !b || !c) throw new Error('enrol failed');
    const product = uuid();
    const poison = saleOp(2, [{ productId: product }]);
    (poison.payload.movements[0] as { reason: string | null }).reason = 'nul\u0000here';
    const held = await holdGroups(store);
    const answers = [
      send(a, [saleOp(1, [{ productId: product }])]),
      send(b, [saleOp(1, [{ productId: product }]), poison, saleOp(3, [{ productId: product }])]),
      send(c, [saleOp(1, [{ productId: product, quantity: 5000 }])]),
    ];
    await held.letGo();
    const [fromA, fromB, fromC] = (await Promise.all(answers)) as PushOutcome[];
    expect(fromA?.reply.results.map((r) => r.status)).toEqual(['applied']);
    expect(fromB?.reply.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(fromB?.reply.results[1]?.error?.reason).toBe('invalid_data');
    expect(fromB?.reply.lastSeq).toBe(3);
    expect(fromC?.reply.results.map((r) => r.status)).toEqual(['applied']);
    expect(await onHand(server.db, store, product)).toBe(-8000);
    expect(await server.ledger()).toEqual([]);
  });
});
