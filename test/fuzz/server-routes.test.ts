/**
 * Fuzzing the sync server's routes (issue 8, item 1; DESIGN.md §6, §7): enrol, push, pull,
 * status, the health checks and metrics, over real HTTP on PGlite (and on PostgreSQL when
 * TILLDESK_TEST_PG_URL is set), with a valid device token, a revoked one, another store's,
 * made-up ones and none, and adversarial bodies, headers and query strings. Every refusal
 * is a 4xx with the server's JSON error shape (never a 500, never a crash), the server
 * keeps serving, and a refused request leaves every table exactly as it was.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeDevice } from '../../server/admin-ops.ts';
import { encodeHlc } from '../../shared/hlc.ts';
import { enrolRequestSchema, pushRequestSchema, syncErrorSchema, syncSchemaVersion } from '../../shared/sync.ts';
import {
  backends,
  countOp,
  enrolRaw,
  goodsInOp,
  pushBody,
  type RawDevice,
  saleOp,
  startTestServer,
  type TestServer,
} from '../server/harness.ts';
import {
  adversarialInputs,
  draw,
  fuzzRun,
  mutatedCopies,
  nastyString,
  nastyValues,
  pollutionTexts,
  preview,
  prototypeSnapshot,
  schemaInputs,
  Tally,
  toJsonText,
} from '../support/fuzz.ts';
import { rawHttp, rawRequest } from '../support/raw-http.ts';
import { databaseChecksum } from '../support/server-checksum.ts';

const run = fuzzRun('server-routes', 4);
const cleanPrototype = prototypeSnapshot();

interface Reply {
  status: number;
  text: string;
}

describe.each(backends())('sync server routes on %s', (backend) => {
  const tally = new Tally();
  let server: TestServer;
  let port = 0;
  let device: RawDevice;
  let revoked: RawDevice;
  let otherStore: RawDevice;
  const codes: string[] = [];
  const productId = `p-${randomUUID()}`;

  /** The database as last checksummed; null once an accepted request may have written. */
  let knownChecksum: string | null = null;
  async function checksum(): Promise<string> {
    knownChecksum ??= await databaseChecksum(server.db);
    return knownChecksum;
  }

  const tokens = () => [
    device.token,
    device.token,
    device.token,
    revoked.token,
    otherStore.token,
    `tdk_${'A'.repeat(43)}`,
    'tdk_',
    "tdk_' OR '1'='1",
    '',
  ];
  const authHeader = fc.oneof(
    { weight: 6, arbitrary: fc.nat().map((i) => `Bearer ${tokens()[i % tokens().length]}`) },
    { weight: 1, arbitrary: nastyString.map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic dGlsbDpkZXNr', 'bearer  x', 'tdk_x') },
  );

  /** Only a live device's own token may get anything done. */
  const enrolled = (auth: string) => auth === `Bearer ${device.token}` || auth === `Bearer ${otherStore.token}`;

  async function request(method: string, path: string, options: { auth?: string; body?: string; type?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.auth !== undefined && options.auth !== '') headers.authorization = options.auth;
    if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
    // fetch refuses header values beyond Latin-1 or with control characters: those go byte by byte.
    if (/[^\x20-\x7e]/.test(options.auth ?? '')) {
      const reply = await rawRequest(port, rawHttp(method, path, { host: `127.0.0.1:${port}`, ...headers }, options.body ?? ''));
      return { status: reply.status, text: reply.body };
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body: options.body ?? null });
    return { status: response.status, text: await response.text() };
  }

  /**
   * One request, checked: never a 5xx or a dropped connection; a 4xx carries the server's
   * error shape and leaves the database as it was; a 2xx only where `mayAccept` says so.
   */
  async function exercise(route: string, input: unknown, send: () => Promise<Reply>, mayAccept = true): Promise<Reply | null> {
    const where = `${backend} ${route}`;
    const problem = (what: string, detail?: string) => tally.problem(where, what, input, detail);
    const before = await checksum();
    let reply: Reply;
    try {
      reply = await send();
    } catch (error) {
      problem('threw', String(error));
      knownChecksum = null;
      return null;
    }
    const accepted = reply.status >= 200 && reply.status < 300;
    tally.count(route, accepted);
    if (accepted) {
      knownChecksum = null;
      if (!mayAccept) problem(`accepted (${reply.status}) where it must be refused`);
    } else if (reply.status < 400 || reply.status >= 500) {
      problem(`HTTP ${reply.status}`, reply.text.slice(0, 200));
      knownChecksum = null;
    } else {
      let body: unknown = null;
      try {
        body = JSON.parse(reply.text);
      } catch {}
      if (!syncErrorSchema.safeParse(body).success) {
        problem(`HTTP ${reply.status} without the server's error shape`, reply.text.slice(0, 200));
      }
      knownChecksum = null;
      if ((await checksum()) !== before) problem(`refused (${reply.status}) but the database changed`);
    }
    if (prototypeSnapshot() !== cleanPrototype) problem('Object.prototype changed');
    return reply;
  }

  async function lastSeq(): Promise<number> {
    const row = (await server.db.query<{ last_seq: number }>('SELECT last_seq FROM device WHERE id = $1', [device.deviceId]))
      .rows[0];
    return Number(row?.last_seq ?? 0);
  }

  /** Examples of every op type a till sends, for mutated copies (seqs are set when sent). */
  function exampleOps(): unknown[] {
    const at = new Date().toISOString();
    const hlc = encodeHlc({ wall: Date.now(), counter: 7, device: 'fuzz' });
    const movement = {
      id: randomUUID(),
      productId,
      locationId: 'shop',
      kind: 'adjustment',
      quantity: -1000,
      unitCost: null,
      reason: 'damaged',
      orderId: null,
      ref: null,
      staffId: null,
      deviceId: 'fuzz',
      occurredAt: at,
      hlc,
    };
    const envelope = (type: string, payload: unknown) => ({ seq: 1, opId: randomUUID(), type, payload, occurredAt: at, hlc });
    const refund = saleOp(1, [{ productId }]);
    const refundOrder = { ...(refund.payload.order as Record<string, unknown>), kind: 'refund', originalOrderId: randomUUID() };
    return [
      saleOp(1, [{ productId, quantity: 2000 }]),
      envelope('sale.refunded', { refund: refundOrder, movements: refund.payload.movements }),
      envelope('sale.voided', { orderId: randomUUID(), number: 'T01-000001', reason: 'mistake', movements: [] }),
      goodsInOp(1, productId, 5000),
      envelope('stock.adjustment', { movement }),
      envelope('stock.transfer', { ref: randomUUID(), movements: [{ ...movement, kind: 'transfer' }] }),
      countOp(1, randomUUID(), [{ productId, counted: 4000, countedAt: at }]),
      envelope('catalog.tax_class_saved', { id: 'tax-std', name: 'Standard', rateBp: 2000 }),
      envelope('catalog.category_saved', { id: 'cat-1', name: 'Dairy', position: 1, active: true }),
      envelope('catalog.product_saved', {
        id: productId,
        sku: 'MILK-1L',
        name: 'Oat Milk 1L',
        barcodes: ['4006381333931'],
        categoryId: 'cat-1',
        unit: 'each',
        price: 199,
        taxClassId: 'tax-std',
        cost: 90,
        reorderPoint: 0,
        active: true,
        updatedAt: at,
      }),
      envelope('note.opened', {
        id: randomUUID(),
        customerId: null,
        orderId: null,
        category: 'complaint',
        body: 'Stale',
        author: { name: 'Ada' },
        createdAt: at,
      }),
      envelope('note.resolved', { id: randomUUID(), resolution: 'Refunded', resolvedBy: null, resolvedAt: at }),
      envelope('shift.opened', { id: randomUUID(), float: 10000 }),
      envelope('nothing.known_here', {}),
    ];
  }

  /** Gives a batch's ops the seqs the server expects next, so it gets past the gap check into the ops. */
  function inSequence(body: unknown, next: number): unknown {
    const ops = (body as { ops?: unknown } | null)?.ops;
    if (!Array.isArray(ops)) return body;
    ops.forEach((op, i) => {
      if (typeof op === 'object' && op !== null) (op as Record<string, unknown>).seq = next + i;
    });
    return body;
  }

  async function serverServes(): Promise<void> {
    const live = await request('GET', '/health/live');
    expect(live.status).toBe(200);
    const status = await request('GET', '/v1/sync/status', { auth: `Bearer ${device.token}` });
    expect(status.status, status.text).toBe(200);
  }

  function expectNoProblems(from: number): void {
    const found = tally.summary(from);
    expect(found, found.slice(0, 10).join('\n')).toEqual([]);
  }

  beforeAll(async () => {
    server = await startTestServer(backend);
    port = Number(new URL(server.url).port);
    await server.store('fuzz-store');
    await server.store('other-store');
    device = await enrolRaw(server, 'fuzz-store');
    revoked = await enrolRaw(server, 'fuzz-store');
    otherStore = await enrolRaw(server, 'other-store');
    await revokeDevice(server.db, revoked.deviceId);
    for (let i = 0; i < run.runs * 4; i++) codes.push(await server.code('fuzz-store'));
    // A catalog and some history, so ops and pulls have rows to work on.
    const [sale, , , goods, , , , tax, category, product] = exampleOps();
    const seeded = await request('POST', '/v1/sync/push', {
      auth: `Bearer ${device.token}`,
      body: JSON.stringify(inSequence(pushBody(device, [tax, category, product, goods, sale]), 1)),
    });
    expect(seeded.status, seeded.text).toBe(200);
  }, 120_000);

  afterAll(async () => {
    tally.print(`server routes on ${backend}`);
    await server?.close();
  });

  it('enrol: adversarial and schema-shaped bodies', async () => {
    const from = tally.problems.length;
    const known = (field: string) =>
      ({
        code: codes,
        schemaVersion: [1, 2, 3, syncSchemaVersion],
        installId: ['till-a', device.deviceId],
        firstSeq: [1, 2 ** 53],
      })[field];
    const bodies = fc.oneof(
      adversarialInputs(enrolRequestSchema, false),
      schemaInputs(enrolRequestSchema, { ipc: false, known }),
      schemaInputs(enrolRequestSchema, { ipc: false, known }),
    );
    for (const [body, auth] of draw(fc.tuple(bodies, fc.option(authHeader)), run.runs * 25, run.seedFor(1))) {
      await exercise('POST /v1/sync/enrol', body, () =>
        request('POST', '/v1/sync/enrol', { body: toJsonText(body), ...(auth === null ? {} : { auth }) }),
      );
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);

  it('push: adversarial bodies, schema-shaped batches and mutated real ops, with every kind of token', async () => {
    const from = tally.problems.length;
    const examples = exampleOps();
    const hlc = encodeHlc({ wall: Date.now(), counter: 1, device: 'fuzz' });
    const known = (field: string) =>
      ({
        deviceId: [device.deviceId, otherStore.deviceId, revoked.deviceId],
        epoch: [device.epoch],
        schemaVersion: [1, 2, 3],
        type: ['sale.completed', 'stock.goods_in', 'catalog.product_saved', 'stocktake.applied', 'shift.opened', 'x.y'],
        hlc: [hlc],
      })[field];
    const mutatedOp = fc.constantFrom(...examples).chain((example) => mutatedCopies(example, false));
    const batches = fc.array(mutatedOp, { minLength: 1, maxLength: 3 });
    const mutatedBatch = fc.constantFrom(...examples).chain((example) => mutatedCopies(pushBody(device, [example]), false, 0.08));
    const payloads = examples.map((e) => (e as { payload: unknown }).payload);
    const overrides = { payload: fc.constantFrom(...payloads).chain((p) => mutatedCopies(p, false)) };
    const bodies = fc.oneof(
      { weight: 2, arbitrary: adversarialInputs(pushRequestSchema, false) },
      { weight: 3, arbitrary: schemaInputs(pushRequestSchema, { ipc: false, known, overrides }) },
      { weight: 4, arbitrary: mutatedBatch },
      { weight: 1, arbitrary: batches.map((ops) => pushBody(device, ops)) },
    );
    // Payloads zod cannot measure, in an op the server gets as far as applying.
    const unmeasurable = JSON.parse('{"length": {"toString": "x", "valueOf": "y"}}') as unknown;
    for (const example of examples) {
      const op = structuredClone(example) as { payload: Record<string, unknown> };
      for (const key of Object.keys(op.payload)) {
        const hostile = { ...op, payload: { ...op.payload, [key]: unmeasurable } };
        const body = inSequence(pushBody(device, [hostile]), (await lastSeq()) + 1);
        await exercise('POST /v1/sync/push', body, () =>
          request('POST', '/v1/sync/push', { auth: `Bearer ${device.token}`, body: JSON.stringify(body) }),
        );
      }
    }
    const cases = draw(fc.tuple(bodies, authHeader, fc.boolean()), run.runs * 40, run.seedFor(2));
    for (const [body, auth, sequenced] of cases) {
      const sent = sequenced ? inSequence(body, (await lastSeq()) + 1) : body;
      await exercise(
        'POST /v1/sync/push',
        sent,
        () => request('POST', '/v1/sync/push', { auth, body: toJsonText(sent) }),
        enrolled(auth),
      );
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);

  it('pull and status: adversarial query strings with every kind of token', async () => {
    const from = tally.problems.length;
    const pulled = await request('GET', `/v1/sync/pull?schemaVersion=${syncSchemaVersion}`, { auth: `Bearer ${device.token}` });
    expect(pulled.status, pulled.text).toBe(200);
    const cursor = (JSON.parse(pulled.text) as { cursor: string }).cursor;
    const value = fc.oneof(
      fc.constantFrom(cursor, `${cursor}9`, cursor.replace(/\d+$/, '999999999999999'), '2', '1', '0', '500', '2001', '-1', '1e3'),
      nastyString,
      fc.string(),
    );
    const query = fc.oneof(
      fc
        .dictionary(fc.constantFrom('cursor', 'limit', 'schemaVersion', '__proto__', 'constructor', 'cursor[]', 'x'), value)
        .map((params) => {
          const search = new URLSearchParams();
          for (const [k, v] of Object.entries(params)) search.append(k, v);
          return `?${search}`;
        }),
      fc.constantFrom(
        '?cursor=%',
        '?cursor=%E0%A4%A',
        '?schemaVersion=2&schemaVersion=2',
        '?schemaVersion=2&cursor=a&cursor=b',
        '?__proto__[polluted]=1&schemaVersion=2',
        '?constructor[prototype][polluted]=1&schemaVersion=2',
        '?schemaVersion[]=2',
        `?schemaVersion=2&cursor=${'9'.repeat(5000)}`,
        '?schemaVersion=2&limit=1e400',
        '?schemaVersion=2&limit=0x10',
        '?schemaVersion=%00',
        '?;;;&&&===',
        '',
      ),
    );
    for (const [q, auth, path] of draw(
      fc.tuple(query, authHeader, fc.constantFrom('/v1/sync/pull', '/v1/sync/status')),
      run.runs * 40,
      run.seedFor(3),
    )) {
      await exercise(`GET ${path}`, q, () => request('GET', `${path}${q}`, { auth }), enrolled(auth));
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);

  it('health and metrics: answer whatever comes with the request', async () => {
    const from = tally.problems.length;
    for (const [path, q, auth] of draw(
      fc.tuple(
        fc.constantFrom('/health/live', '/health/ready', '/metrics'),
        fc.oneof(
          fc.constant(''),
          nastyString.map((s) => `?x=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))}`),
        ),
        fc.option(authHeader),
      ),
      run.runs * 10,
      run.seedFor(4),
    )) {
      await exercise(`GET ${path}`, q, () => request('GET', `${path}${q}`, auth === null ? {} : { auth }));
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);

  it('refuses wrong methods, unknown paths, wrong content types and bodies that are not JSON', async () => {
    const from = tally.problems.length;
    const auth = `Bearer ${device.token}`;
    const valid = JSON.stringify(pushBody(device, [exampleOps()[0]]));
    const unmeasurable = '{"length": {"toString": "x", "valueOf": "y"}}';
    const routes = ['/v1/sync/enrol', '/v1/sync/push', '/v1/sync/pull', '/v1/sync/status'];
    for (const path of [
      ...routes,
      '/v1/sync/nope',
      '/v1/sync/',
      '/v2/sync/push',
      '/admin',
      '/v1/sync/push/extra',
      '/%',
      '/v1/sync/%E0%A4%A',
    ]) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        const known =
          (method === 'POST' && (path === routes[0] || path === routes[1])) ||
          (method === 'GET' && (path === routes[2] || path === routes[3]));
        if (known) continue;
        await exercise(
          'wrong method or path',
          `${method} ${path}`,
          () => request(method, path, { auth, body: method === 'GET' ? undefined : valid }),
          false,
        );
      }
    }
    const bodies: (string | Buffer)[] = [
      '',
      '{',
      "{'deviceId': 'x'}",
      '[]',
      'null',
      '"text"',
      '1e400',
      '\ufeff{}',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x7d]),
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      ...pollutionTexts,
      toJsonText(nastyValues(false)[10]),
      valid.replace('"ops"', '"__proto__":{"polluted":1},"ops"'),
      // A length zod compares with its maximum and cannot: where a list or a string belongs.
      JSON.stringify({ ...JSON.parse(valid), ops: JSON.parse(unmeasurable) }),
      JSON.stringify({ code: JSON.parse(unmeasurable), deviceName: 'Till', installId: 'i', schemaVersion: 2, firstSeq: 1 }),
      JSON.stringify({ ...JSON.parse(valid), ops: Array.from({ length: 201 }, () => JSON.parse(valid).ops[0]) }),
    ];
    for (const path of ['/v1/sync/push', '/v1/sync/enrol']) {
      for (const body of bodies) {
        await exercise(
          `POST ${path} raw body`,
          preview(String(body), 80),
          async () => {
            const response = await fetch(`${server.url}${path}`, {
              method: 'POST',
              headers: { authorization: auth, 'content-type': 'application/json' },
              body: typeof body === 'string' ? body : new Uint8Array(body),
            });
            return { status: response.status, text: await response.text() };
          },
          false,
        );
      }
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/xml',
      ]) {
        await exercise(`POST ${path} content type`, type, () => request('POST', path, { auth, body: valid, type }), false);
      }
      await exercise(
        `POST ${path} raw body`,
        '9 MB',
        () => request('POST', path, { auth, body: JSON.stringify({ x: 'x'.repeat(9_000_000) }) }),
        false,
      );
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);

  it('refuses malformed HTTP and adversarial headers with the server’s error shape', async () => {
    const from = tally.problems.length;
    const host = `127.0.0.1:${port}`;
    const valid = JSON.stringify(pushBody(device, [exampleOps()[0]]));
    const json = { host, 'content-type': 'application/json' };
    const raw: [string, Buffer][] = [
      ['a token with a control byte', rawHttp('GET', '/v1/sync/status', { host, authorization: `Bearer ${device.token}\u0001` })],
      [
        'a token with a non-ASCII letter',
        rawHttp('GET', '/v1/sync/status', { host, authorization: `Bearer ${device.token.slice(0, -1)}é` }),
      ],
      ['a 12 kB token', rawHttp('GET', '/v1/sync/status', { host, authorization: `Bearer ${'t'.repeat(12_000)}` })],
      ['a 100 kB header', rawHttp('GET', '/v1/sync/status', { host, 'x-junk': 'j'.repeat(100_000) })],
      [
        'two tokens',
        Buffer.from(
          `GET /v1/sync/status HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer x\r\nauthorization: Bearer ${device.token}\r\nconnection: close\r\n\r\n`,
        ),
      ],
      ['no request line', Buffer.from('GARBAGE\r\n\r\n')],
      ['HTTP/9.9', Buffer.from(`GET /v1/sync/status HTTP/9.9\r\nhost: ${host}\r\n\r\n`)],
      [
        'a header without a colon',
        Buffer.from(`GET /health/live HTTP/1.1\r\nhost: ${host}\r\nnonsense\r\nconnection: close\r\n\r\n`),
      ],
      ['a negative length', rawHttp('POST', '/v1/sync/push', { ...json, 'content-length': '-1' }, valid)],
      [
        'length and chunked together',
        rawHttp('POST', '/v1/sync/push', { ...json, 'transfer-encoding': 'chunked', 'content-length': '5' }, '0\r\n\r\n'),
      ],
      [
        'a bad chunk',
        rawHttp('POST', '/v1/sync/push', { ...json, 'transfer-encoding': 'chunked' }, 'zz\r\nhello\r\n0\r\n\r\n', {
          contentLength: false,
        }),
      ],
      ['a gzip body that is not gzip', rawHttp('POST', '/v1/sync/enrol', { ...json, 'content-encoding': 'gzip' }, valid)],
      ['a NUL in the path', Buffer.from(`GET /v1/sync/status\u0000 HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`)],
      ['a 20 kB path', rawHttp('GET', `/v1/sync/pull?cursor=${'a'.repeat(20_000)}`, { host })],
    ];
    for (const [label, bytes] of raw) {
      await exercise(
        'malformed HTTP',
        `${label}: ${preview(bytes.toString('latin1'), 80)}`,
        async () => {
          const response = await rawRequest(port, bytes);
          return { status: response.status, text: response.body };
        },
        false,
      );
    }
    await serverServes();
    expectNoProblems(from);
  }, 300_000);
});
