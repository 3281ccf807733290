/**
 * The sync server under attack (issue 8, item 3), over real HTTP on PGlite and PostgreSQL:
 * forged, expired and revoked tokens get 401 with the reason; a till cannot push or pull
 * for another device or store; enrolment codes are one-time and expire; and the limits
 * (per device, per address, failed sign-ins per address, enrolments) answer 429 with
 * Retry-After and reset. Every refusal is checked to have written nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../server/app.ts';
import { defaultTokenTtlMs, newToken } from '../../server/auth.ts';
import { syncSchemaVersion } from '../../shared/sync.ts';
import {
  backends,
  call,
  enrolRaw,
  onHand,
  pushBody,
  type RawDevice,
  rawRequest,
  saleOp,
  serverFacts,
  startTestServer,
  type TestServer,
  uuid,
} from './harness.ts';

const statusPath = '/v1/sync/status';
const pullPath = `/v1/sync/pull?schemaVersion=${syncSchemaVersion}`;

/** The token with the character at `at` replaced by another of the same alphabet. */
function changedAt(token: string, at: number): string {
  const c = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + c + token.slice(at + 1);
}

describe.each(backends())('sync server auth on %s', (backend) => {
  let server: TestServer;
  let stores = 0;
  const newStore = () => server.store(`auth-${++stores}`);

  beforeAll(async () => {
    server = await startTestServer(backend);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const deviceRow = async (id: string) =>
    (
      await server.db.query<{ last_seq: number; token_expires_at: Date; revoked_at: Date | null }>(
        'SELECT last_seq, token_expires_at, revoked_at FROM device WHERE id = $1',
        [id],
      )
    ).rows[0];
  const appliedCount = async () => (await serverFacts(server.db)).ops;

  it('refuses forged, mangled, missing and oversized tokens with 401 and a reason, writing nothing', async () => {
    const device = await enrolRaw(server, await newStore());
    expect((await call(server.url, statusPath, device.token)).status).toBe(200);
    const body = pushBody(device, [saleOp(1, [{ productId: 'p-forged' }])]);
    const before = await appliedCount();
    const rest = device.token.slice(4);
    const forged: [string, string | undefined, string][] = [
      ['random token with the right prefix', `Bearer ${newToken()}`, 'unknown_token'],
      ['the real token under another prefix', `Bearer tdx_${rest}`, 'unknown_token'],
      ['the real token without its prefix', `Bearer ${rest}`, 'unknown_token'],
      ['one character changed in the middle', `Bearer ${changedAt(device.token, 20)}`, 'unknown_token'],
      ['the last character changed', `Bearer ${changedAt(device.token, device.token.length - 1)}`, 'unknown_token'],
      ['the real token with one character more', `Bearer ${device.token}A`, 'unknown_token'],
      ['an SQL fragment', "Bearer tdk_' OR '1'='1", 'unknown_token'],
      ['8 KB of token', `Bearer tdk_${'A'.repeat(8 * 1024)}`, 'unknown_token'],
      ['an empty bearer', 'Bearer ', 'token_missing'],
      ['another scheme', `Basic ${Buffer.from('till:secret').toString('base64')}`, 'token_missing'],
      ['the token without a scheme', device.token, 'token_missing'],
      ['no header at all', undefined, 'token_missing'],
    ];
    for (const [what, authorization, reason] of forged) {
      for (const [path, payload] of [
        ['/v1/sync/push', body],
        [statusPath, undefined],
        [pullPath, undefined],
      ] as const) {
        const reply = await rawRequest(server.url, path, {
          ...(authorization === undefined ? {} : { authorization }),
          ...(payload ? { body: payload } : {}),
        });
        expect({ what, path, status: reply.status, reason: reply.body.error?.reason }).toEqual({
          what,
          path,
          status: 401,
          reason,
        });
      }
    }
    // Past Node's 16 KB header limit the request never reaches the app: 431, connection closed.
    const huge = await rawRequest(server.url, '/v1/sync/push', { authorization: `Bearer tdk_${'A'.repeat(20_000)}`, body });
    expect(huge.status).toBe(431);
    expect(await appliedCount()).toBe(before);
    expect((await deviceRow(device.deviceId))?.last_seq).toBe(0);
    // The real token still works, and the failures were counted by reason.
    expect((await call(server.url, '/v1/sync/push', device.token, body)).status).toBe(200);
    const metrics = await rawRequest(server.url, '/metrics');
    expect(String(metrics.body.text)).toMatch(/tilldesk_auth_failures_total\{reason="unknown_token"\} \d+/);
    expect(String(metrics.body.text)).toMatch(/tilldesk_auth_failures_total\{reason="token_missing"\} \d+/);
  });

  it('gives tokens a 90-day sliding life: renewed when used, 401 token_expired when it ran out', async () => {
    const device = await enrolRaw(server, await newStore());
    const issued = (await deviceRow(device.deviceId))?.token_expires_at;
    const days = ((issued?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    expect(defaultTokenTtlMs).toBe(90 * 86_400_000);
    // A token used soon after it was renewed is not written again on every request.
    expect((await call(server.url, statusPath, device.token)).status).toBe(200);
    expect((await deviceRow(device.deviceId))?.token_expires_at.getTime()).toBe(issued?.getTime());

    // As if the till had been away for 89 days and 23 hours: one use gives it 90 days again.
    await server.db.query("UPDATE device SET token_expires_at = now() + interval '1 hour' WHERE id = $1", [device.deviceId]);
    expect((await call(server.url, pullPath, device.token)).status).toBe(200);
    const renewed = (await deviceRow(device.deviceId))?.token_expires_at.getTime() ?? 0;
    expect((renewed - Date.now()) / 86_400_000).toBeGreaterThan(89.9);

    // Away for longer than that: every route answers 401 token_expired and nothing is written.
    await server.db.query("UPDATE device SET token_expires_at = now() - interval '1 second' WHERE id = $1", [device.deviceId]);
    const before = await appliedCount();
    const pushed = await call(server.url, '/v1/sync/push', device.token, pushBody(device, [saleOp(1, [{ productId: 'p' }])]));
    expect([pushed.status, pushed.body.error?.reason]).toEqual([401, 'token_expired']);
    for (const path of [statusPath, pullPath]) {
      const reply = await call(server.url, path, device.token);
      expect([path, reply.status, reply.body.error?.reason]).toEqual([path, 401, 'token_expired']);
    }
    expect(await appliedCount()).toBe(before);
    expect(String((await rawRequest(server.url, '/metrics')).body.text)).toMatch(/^tilldesk_devices_expired 1$/m);
    // An expired token is not brought back by trying it: the till enrols again.
    expect((await deviceRow(device.deviceId))?.token_expires_at.getTime()).toBeLessThan(Date.now());
    const again = await enrolRaw(server, device.storeId);
    expect((await call(server.url, statusPath, again.token)).status).toBe(200);
  });

  it('reads the token lifetime and the limits from the environment', () => {
    const { config, shutdown } = settingsFromEnv({
      TILLDESK_TOKEN_TTL_DAYS: '30',
      TILLDESK_ADDRESS_LIMIT: '1200',
      TILLDESK_AUTH_FAILURE_LIMIT: '10',
      TILLDESK_TRUST_PROXY: '10.0.0.0/8',
      TILLDESK_DRAIN_DELAY_MS: '0',
      TILLDESK_SHUTDOWN_TIMEOUT_MS: '20000',
    });
    expect(config).toEqual({
      tokenTtlMs: 30 * 86_400_000,
      addressLimitPerMinute: 1200,
      authFailureLimitPerMinute: 10,
      trustProxy: '10.0.0.0/8',
    });
    expect(shutdown).toEqual({ drainDelayMs: 0, timeoutMs: 20_000 });
    // Nonsense is ignored, not half-applied.
    expect(settingsFromEnv({ TILLDESK_TOKEN_TTL_DAYS: '-3', TILLDESK_ADDRESS_LIMIT: 'lots' }).config).toEqual({});
  });

  it('answers 401 device_revoked on every route to a revoked till, writing nothing', async () => {
    const device = await enrolRaw(server, await newStore());
    await server.db.query('UPDATE device SET revoked_at = now() WHERE id = $1', [device.deviceId]);
    const before = await appliedCount();
    const pushed = await call(server.url, '/v1/sync/push', device.token, pushBody(device, [saleOp(1, [{ productId: 'p' }])]));
    expect([pushed.status, pushed.body.error?.reason]).toEqual([401, 'device_revoked']);
    for (const path of [statusPath, pullPath]) {
      const reply = await call(server.url, path, device.token);
      expect([path, reply.status, reply.body.error?.reason]).toEqual([path, 401, 'device_revoked']);
    }
    expect(await appliedCount()).toBe(before);
  });

  it('never lets a till push or pull for another device or another store', async () => {
    const [a, b] = [await newStore(), await newStore()];
    const tillA = await enrolRaw(server, a);
    const otherA = await enrolRaw(server, a);
    const tillB = await enrolRaw(server, b);
    const product = uuid();
    const saleB = saleOp(1, [{ productId: product, quantity: 2000 }]);
    expect((await call(server.url, '/v1/sync/push', tillB.token, pushBody(tillB, [saleB]))).status).toBe(200);
    const before = await serverFacts(server.db);

    // Its own token, another till's id (same store, other store): 403, nothing written.
    for (const [victim, ops] of [
      [otherA, [saleOp(1, [{ productId: product }])]],
      [tillB, [saleOp(2, [{ productId: product }])]],
    ] as [RawDevice, unknown[]][]) {
      const reply = await call(server.url, '/v1/sync/push', tillA.token, pushBody(victim, ops));
      expect([reply.status, reply.body.error?.reason]).toEqual([403, 'device_mismatch']);
    }
    expect(await serverFacts(server.db)).toEqual(before);
    expect((await deviceRow(otherA.deviceId))?.last_seq).toBe(0);
    expect((await deviceRow(tillB.deviceId))?.last_seq).toBe(1);
    expect(await onHand(server.db, b, product)).toBe(-2000);

    // Store B's records named from store A: B's order is not voided, B's ledger not touched.
    const saleBPayload = saleB.payload as { order: { id: string }; movements: { id: string }[] };
    const reusedMovement = saleOp(2, [{ productId: product, quantity: 5000 }]);
    const movement = (reusedMovement.payload as { movements: { id: string }[] }).movements[0];
    if (movement) movement.id = saleBPayload.movements[0]?.id ?? '';
    const voidB = {
      seq: 1,
      opId: uuid(),
      type: 'sale.voided',
      payload: { orderId: saleBPayload.order.id, number: 'T01-000001', reason: 'not yours', movements: [] },
      occurredAt: new Date().toISOString(),
      hlc: saleB.hlc,
    };
    const crossed = await call(server.url, '/v1/sync/push', tillA.token, pushBody(tillA, [voidB, reusedMovement]));
    expect(crossed.status).toBe(200);
    const orderB = (
      await server.db.query<{ state: string; store_id: string }>('SELECT state, store_id FROM orders WHERE id = $1', [
        saleBPayload.order.id,
      ])
    ).rows[0];
    expect(orderB).toEqual({ state: 'completed', store_id: b });
    expect(await onHand(server.db, b, product)).toBe(-2000);
    const movementB = (
      await server.db.query<{ store_id: string; quantity: number }>(
        'SELECT store_id, quantity FROM stock_movement WHERE id = $1',
        [saleBPayload.movements[0]?.id],
      )
    ).rows[0];
    expect(movementB).toEqual({ store_id: b, quantity: -2000 });
    expect((await serverFacts(server.db)).ledger).toEqual([]);

    // Store B's support note, re-opened and resolved by store A's till under its id: B's note stays as it was.
    const noteId = uuid();
    const noteOp = (seq: number, type: string, payload: unknown) => ({
      seq,
      opId: uuid(),
      type,
      payload,
      occurredAt: new Date().toISOString(),
      hlc: saleB.hlc,
    });
    const opened = { id: noteId, category: 'complaint', body: 'Milk was sour', createdAt: new Date().toISOString() };
    expect(
      (await call(server.url, '/v1/sync/push', tillB.token, pushBody(tillB, [noteOp(2, 'note.opened', opened)]))).status,
    ).toBe(200);
    const noteOfB = async () =>
      (await server.db.query('SELECT store_id, body, status, resolution FROM support_note WHERE id = $1', [noteId])).rows[0];
    const noteBefore = await noteOfB();
    const hijack = [
      noteOp(3, 'note.opened', { ...opened, body: 'rewritten by another store' }),
      noteOp(4, 'note.resolved', { id: noteId, resolution: 'closed by another store', resolvedAt: new Date().toISOString() }),
    ];
    expect((await call(server.url, '/v1/sync/push', tillA.token, pushBody(tillA, hijack))).status).toBe(200);
    expect(await noteOfB()).toEqual(noteBefore);
    expect(noteBefore).toMatchObject({ store_id: b, body: 'Milk was sour', status: 'open' });

    // A pull is the token's store only: A sees no stock of B's sale, B does.
    const pulledA = await call(server.url, pullPath, tillA.token);
    const pulledB = await call(server.url, pullPath, tillB.token);
    const stockOf = (reply: typeof pulledA) =>
      (reply.body.stock as { productId: string; onHand: number }[]).filter((s) => s.productId === product);
    expect(stockOf(pulledA).map((s) => s.onHand)).not.toContain(-2000);
    expect(stockOf(pulledB)).toEqual([expect.objectContaining({ onHand: -2000 })]);
    expect((await call(server.url, statusPath, tillA.token)).body.storeId).toBe(a);
  });

  it('refuses wrong, spent and expired enrolment codes with 401 and makes no device', async () => {
    const store = await newStore();
    const devices = async () =>
      Number((await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM device')).rows[0]?.n ?? 0);
    const enrol = (code: string) =>
      call(server.url, '/v1/sync/enrol', null, {
        code,
        deviceName: 'Till',
        installId: uuid(),
        schemaVersion: syncSchemaVersion,
        firstSeq: 1,
      });
    const before = await devices();
    const wrong = await enrol('ABCDE-FGHJK');
    expect([wrong.status, wrong.body.error?.reason]).toEqual([401, 'bad_enrolment_code']);

    const spent = await server.code(store);
    const first = await enrol(spent);
    expect(first.status).toBe(200);
    for (const typed of [spent, spent.toLowerCase(), spent.replace('-', ' ')]) {
      const again = await enrol(typed);
      expect([again.status, again.body.error?.reason]).toEqual([401, 'bad_enrolment_code']);
    }

    const expired = await server.code(store);
    await server.db.query("UPDATE enrolment_code SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
    const late = await enrol(expired);
    expect([late.status, late.body.error?.reason]).toEqual([401, 'bad_enrolment_code']);
    expect(await devices()).toBe(before + 1);
    const used = await server.db.query<{ used_by: string }>(
      'SELECT used_by FROM enrolment_code WHERE used_at IS NOT NULL AND store_id = $1',
      [store],
    );
    expect(used.rows).toEqual([{ used_by: first.body.deviceId }]);
  });

  describe('limits', () => {
    // Short windows so a reset is seen in the test; every limit keeps its own bucket.
    const window = 3000;
    let limited: TestServer;
    afterAll(async () => {
      await limited?.close();
    });

    /** Waits out a Retry-After (seconds), plus a margin. */
    const waitOut = (retryAfter: unknown) => sleep(Number(retryAfter) * 1000 + 200);

    it('per device: the device over its limit gets 429 with Retry-After, another device does not, and it resets', async () => {
      limited = await startTestServer(backend, { config: { rateLimitPerMinute: 3, rateWindowMs: window } });
      await limited.store('rl-device');
      const [one, two] = [await enrolRaw(limited, 'rl-device'), await enrolRaw(limited, 'rl-device')];
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(await rawRequest(limited.url, statusPath, { authorization: `Bearer ${one.token}` }));
      expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      const over = statuses[3];
      expect(over?.body.error?.reason).toBe('rate_limited');
      expect(Number(over?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(over?.headers['retry-after'])).toBeLessThanOrEqual(window / 1000);
      // A push over the limit is refused before it is read: nothing written.
      const refused = await call(limited.url, '/v1/sync/push', one.token, pushBody(one, [saleOp(1, [{ productId: 'p' }])]));
      expect(refused.status).toBe(429);
      expect((await serverFacts(limited.db)).ops).toBe(0);
      expect((await rawRequest(limited.url, statusPath, { authorization: `Bearer ${two.token}` })).status).toBe(200);
      const metrics = String((await rawRequest(limited.url, '/metrics')).body.text);
      expect(metrics).toMatch(/^tilldesk_rate_limited_total\{limit="device"\} 2$/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+$/m);
      await waitOut(over?.headers['retry-after']);
      expect((await rawRequest(limited.url, statusPath, { authorization: `Bearer ${one.token}` })).status).toBe(200);
      await limited.close();
    }, 60_000);

    it('per address: many tills from one address share its limit, another address does not, and it resets', async () => {
      limited = await startTestServer(backend, { config: { addressLimitPerMinute: 5, rateWindowMs: window } });
      await limited.store('rl-address');
      // Enrolled from their own addresses, so only the status calls count against 127.0.0.1.
      const tills = [];
      for (let i = 0; i < 3; i++) tills.push(await enrolThrough(limited, 'rl-address', `127.0.0.${10 + i}`));
      const seen: number[] = [];
      let over: Awaited<ReturnType<typeof rawRequest>> | undefined;
      for (let i = 0; i < 6; i++) {
        const till = tills[i % tills.length] as RawDevice;
        const reply = await rawRequest(limited.url, statusPath, { authorization: `Bearer ${till.token}`, from: '127.0.0.1' });
        seen.push(reply.status);
        if (reply.status === 429) over = reply;
      }
      expect(seen).toEqual([200, 200, 200, 200, 200, 429]);
      expect(over?.body.error?.reason).toBe('address_rate_limited');
      expect(Number(over?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Health checks are never limited: a load balancer must not see a busy address as a dead server.
      expect((await rawRequest(limited.url, '/health/ready', { from: '127.0.0.1' })).status).toBe(200);
      const elsewhere = await rawRequest(limited.url, statusPath, {
        authorization: `Bearer ${tills[0]?.token}`,
        from: '127.0.0.2',
      });
      expect(elsewhere.status).toBe(200);
      await waitOut(over?.headers['retry-after']);
      expect(
        (await rawRequest(limited.url, statusPath, { authorization: `Bearer ${tills[0]?.token}`, from: '127.0.0.1' })).status,
      ).toBe(200);
      await limited.close();
    }, 60_000);

    it('failed sign-ins: an address that sent too many bad tokens is turned away, even with a good one, until it resets', async () => {
      limited = await startTestServer(backend, { config: { authFailureLimitPerMinute: 3, rateWindowMs: window } });
      await limited.store('rl-auth');
      const till = await enrolThrough(limited, 'rl-auth', '127.0.0.20');
      const from = '127.0.0.21';
      for (let i = 0; i < 3; i++) {
        const guess = await rawRequest(limited.url, statusPath, { authorization: `Bearer ${newToken()}`, from });
        expect(guess.status).toBe(401);
      }
      const turnedAway = await rawRequest(limited.url, statusPath, { authorization: `Bearer ${till.token}`, from });
      expect([turnedAway.status, turnedAway.body.error?.reason]).toEqual([429, 'too_many_auth_failures']);
      expect(Number(turnedAway.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Guessing goes on being refused before any lookup.
      expect((await rawRequest(limited.url, statusPath, { authorization: `Bearer ${newToken()}`, from })).status).toBe(429);
      expect(
        (await rawRequest(limited.url, statusPath, { authorization: `Bearer ${till.token}`, from: '127.0.0.22' })).status,
      ).toBe(200);
      await waitOut(turnedAway.headers['retry-after']);
      expect((await rawRequest(limited.url, statusPath, { authorization: `Bearer ${till.token}`, from })).status).toBe(200);
      await limited.close();
    }, 60_000);

    it('enrolment: codes cannot be guessed at speed from one address, whatever headers come with them', async () => {
      limited = await startTestServer(backend, { config: { enrolLimitPerMinute: 3, rateWindowMs: window } });
      await limited.store('rl-enrol');
      const code = await limited.code('rl-enrol');
      const from = '127.0.0.30';
      const attempt = (typed: string, authorization?: string) =>
        rawRequest(limited.url, '/v1/sync/enrol', {
          from,
          ...(authorization ? { authorization } : {}),
          body: { code: typed, deviceName: 'Till', installId: uuid(), schemaVersion: syncSchemaVersion, firstSeq: 1 },
        });
      for (let i = 0; i < 3; i++) {
        // A fresh made-up token each time must not buy a fresh bucket.
        expect((await attempt(`WRONG-${i}000${i}`, `Bearer ${newToken()}`)).status).toBe(401);
      }
      const right = await attempt(code);
      expect([right.status, right.body.error?.reason]).toEqual([429, 'rate_limited']);
      expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const devices = await limited.db.query('SELECT 1 FROM device');
      expect(devices.rowCount).toBe(0);
      await waitOut(right.headers['retry-after']);
      expect((await attempt(code)).status).toBe(200);
      await limited.close();
    }, 60_000);
  });
});

/** Enrols over HTTP from a chosen local address. */
async function enrolThrough(server: TestServer, storeId: string, from: string): Promise<RawDevice> {
  const reply = await rawRequest(server.url, '/v1/sync/enrol', {
    from,
    body: {
      code: await server.code(storeId),
      deviceName: 'Till',
      installId: uuid(),
      schemaVersion: syncSchemaVersion,
      firstSeq: 1,
    },
  });
  if (reply.status !== 200) throw new Error(`enrol failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { ...(reply.body as unknown as RawDevice), url: server.url };
}
