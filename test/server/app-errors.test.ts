/**
 * Every refusal of the sync server in its one error shape ({ error: { reason, message } },
 * shared/sync.ts syncErrorSchema), for the inputs the route fuzzer (test/fuzz/server-routes)
 * found answered otherwise: bodies zod throws on (500 before), unknown paths and methods
 * (Fastify's own 404 body), a path that cannot be decoded (FST_ERR_BAD_URL), and requests
 * Node's HTTP parser refuses (a bare 400 with Fastify's body). On PGlite: routing and
 * parsing do not depend on the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncErrorSchema, syncSchemaVersion } from '../../shared/sync.ts';
import { rawHttp, rawRequest } from '../support/raw-http.ts';
import { databaseChecksum } from '../support/server-checksum.ts';
import { enrolRaw, pushBody, type RawDevice, saleOp, startTestServer, type TestServer } from './harness.ts';

/** Where a string or a list belongs: a length zod compares with its bound and cannot. */
const unmeasurable = { length: { toString: 'x', valueOf: 'y' } };

let server: TestServer;
let device: RawDevice;

beforeAll(async () => {
  server = await startTestServer('pglite');
  await server.store('errors-store');
  device = await enrolRaw(server, 'errors-store');
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function send(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${device.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: JSON.parse(await response.text()) as unknown };
}

/** The body in the server's error shape with this reason. */
function expectRefusal(body: unknown, reason: string): void {
  expect(syncErrorSchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
  expect((body as { error: { reason: string } }).error.reason).toBe(reason);
}

describe('bodies zod throws on', () => {
  it('refuses an enrolment code that is an object with an unreadable length: 400, nothing written', async () => {
    await server.code('errors-store'); // a live code the refused request must not use up
    const before = await databaseChecksum(server.db);
    const reply = await send('POST', '/v1/sync/enrol', {
      code: unmeasurable,
      deviceName: 'Till',
      installId: 'install-1',
      schemaVersion: syncSchemaVersion,
      firstSeq: 1,
    });
    expect(reply.status).toBe(400);
    expectRefusal(reply.body, 'invalid_request');
    expect(await databaseChecksum(server.db)).toBe(before);
  });

  it('refuses a push whose ops are an object with an unreadable length: 400, nothing written', async () => {
    const before = await databaseChecksum(server.db);
    const body = { ...pushBody(device, [saleOp(1, [{ productId: 'p-1' }])]), ops: unmeasurable };
    const reply = await send('POST', '/v1/sync/push', body);
    expect(reply.status).toBe(400);
    expectRefusal(reply.body, 'invalid_request');
    expect(await databaseChecksum(server.db)).toBe(before);
  });
});

describe('paths and methods no route serves', () => {
  it('answers 404 not_found naming the method and path, without the query string', async () => {
    const reply = await send('GET', '/v1/sync/nope?token=secret');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ error: { reason: 'not_found', message: 'No route GET /v1/sync/nope' } });
    const wrongMethod = await send('DELETE', '/v1/sync/push', {});
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body).toEqual({ error: { reason: 'not_found', message: 'No route DELETE /v1/sync/push' } });
  });

  it('cuts a long path to 100 characters in the message', async () => {
    const path = `/${'a'.repeat(5000)}`;
    const reply = await send('GET', path);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ error: { reason: 'not_found', message: `No route GET ${path.slice(0, 100)}` } });
  });

  it('answers a path that cannot be decoded (/%) 400 invalid_request', async () => {
    for (const path of ['/%', '/v1/sync/%E0%A4%A']) {
      const reply = await rawRequest(server.port, rawHttp('GET', path, { host: `127.0.0.1:${server.port}` }));
      expect(reply.status, path).toBe(400);
      expectRefusal(JSON.parse(reply.body), 'invalid_request');
    }
  });
});

describe('requests Node’s HTTP parser refuses', () => {
  const cases: [string, () => Buffer, number, string][] = [
    ['no request line', () => Buffer.from('GARBAGE\r\n\r\n'), 400, 'bad_request'],
    ['HTTP/9.9', () => Buffer.from(`GET /health/live HTTP/9.9\r\nhost: 127.0.0.1\r\n\r\n`), 400, 'bad_request'],
    [
      'a control byte in a header',
      () => rawHttp('GET', '/v1/sync/status', { host: '127.0.0.1', authorization: `Bearer ${device.token}\u0001` }),
      400,
      'bad_request',
    ],
    [
      'a header without a colon',
      () => Buffer.from('GET /health/live HTTP/1.1\r\nhost: 127.0.0.1\r\nnonsense\r\nconnection: close\r\n\r\n'),
      400,
      'bad_request',
    ],
    [
      'headers over 16 kB',
      () => rawHttp('GET', '/v1/sync/status', { host: '127.0.0.1', 'x-junk': 'j'.repeat(100_000) }),
      431,
      'headers_too_large',
    ],
    [
      'a 20 kB path',
      () => rawHttp('GET', `/v1/sync/pull?cursor=${'a'.repeat(20_000)}`, { host: '127.0.0.1' }),
      431,
      'headers_too_large',
    ],
  ];

  it.each(cases)('answers %s in the error shape and closes the connection', async (_label, bytes, status, reason) => {
    const before = await databaseChecksum(server.db);
    const reply = await rawRequest(server.port, bytes());
    expect(reply.status).toBe(status);
    expect(reply.headers.connection).toBe('close');
    expectRefusal(JSON.parse(reply.body), reason);
    expect(await databaseChecksum(server.db)).toBe(before);
    // The server carries on.
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
  });
});
