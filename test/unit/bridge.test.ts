/**
 * The bridge refuses what it must (DESIGN.md §2, §7): unknown operations and bad input get a
 * typed error through both transports, and the store is left exactly as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { createHostServer } from '../../db/host/server.ts';
import { openStore, type Store } from '../../db/store.ts';
import { openTill } from '../../db/till.ts';
import { appOrigin } from '../../electron/guards.ts';
import { handleIpcCall } from '../../electron/ipc.ts';
import { type ApiError, isApiError, type Result } from '../../shared/errors.ts';
import { storeChecksum as checksumOf } from '../support/store-checksum.ts';

let dir: string;
let store: Store;
let api: Api;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  store = openStore({ dataDir: join(dir, 'data') });
  api = createTillApi(
    openTill(store),
    { transport: 'ipc', version: 'test' },
    { onInternalError: (_n, e) => internalErrors.push(e) },
  );
  // A shop with its owner signed in, so only the input (never a missing sign-in) can be at fault.
  const setup = await api.call('setup.create', {
    shopName: 'Corner Shop',
    currency: 'EUR',
    locale: 'en-IE',
    language: 'en',
    taxMode: 'inclusive',
    taxRates: [{ name: 'Standard', rateBp: 2000 }],
    ownerName: 'Olivia Owner',
    ownerPin: '2468',
  });
  expect(setup).toMatchObject({ ok: true });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  expect(internalErrors).toEqual([]);
});

/** Every row of every table: "nothing written" means this does not change. */
const storeChecksum = () => checksumOf(store.db);

function expectTypedError(result: Result<unknown>, code: ApiError['code'], reason: string = code): ApiError {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(isApiError(result.error)).toBe(true);
  expect(result.error).toMatchObject({ code, reason });
  expect(result.error.message.length).toBeGreaterThan(0);
  return result.error;
}

/** Inputs settings.update must refuse before its handler runs. */
const invalidSettings: [string, unknown][] = [
  ['an unknown language', { language: 'xx' }],
  ['an extra key', { language: 'zh-CN', isAdmin: true }],
  ['a prototype key', JSON.parse('{"__proto__": {"language": "zh-CN"}, "language": "zh-CN"}')],
  ['a string for a number', { cashRoundingStep: '5' }],
  ['a fraction for an integer', { cashRoundingStep: 2.5 }],
  ['a number out of range', { cashierDiscountLimitBp: 10001 }],
  ['a negative number', { idleLockSeconds: -1 }],
  ['a number for a string', { shopName: 42 }],
  ['an over-long string', { shopName: 'x'.repeat(81) }],
  ['a nested bad rule', { embeddedBarcodeRules: [{ prefix: '99', kind: 'price', itemDigits: 5, valueDigits: 5 }] }],
  ['null', null],
  ['an array', [{ language: 'zh-CN' }]],
  ['a string', 'zh-CN'],
];

const unknownNames: unknown[] = [
  'nope.nothing',
  'settings.delete',
  '__proto__',
  'constructor',
  'toString',
  '',
  42,
  null,
  { name: 'app.info' },
];

describe('IPC: electron/ipc.ts handleIpcCall under Node', () => {
  const app = { url: `${appOrigin}/`, isMainFrame: true };

  it('answers the app’s own frame (the control: a valid call works and writes)', async () => {
    const info = await handleIpcCall(api, app, 'app.info', {});
    expect(info).toMatchObject({ ok: true, value: { name: 'Tilldesk', transport: 'ipc' } });
    const before = storeChecksum();
    const updated = await handleIpcCall(api, app, 'settings.update', { receiptFooter: 'See you soon' });
    expect(updated).toMatchObject({ ok: true, value: { receiptFooter: 'See you soon' } });
    expect(storeChecksum()).not.toBe(before);
  });

  it.each(unknownNames)('refuses the unknown operation %j and writes nothing', async (name) => {
    const before = storeChecksum();
    expectTypedError(await handleIpcCall(api, app, name, {}), 'unknown_operation');
    expect(storeChecksum()).toBe(before);
  });

  it.each(invalidSettings)('refuses settings.update with %s and writes nothing', async (_label, input) => {
    const before = storeChecksum();
    const error = expectTypedError(await handleIpcCall(api, app, 'settings.update', input), 'invalid_input');
    expect(error.issues?.length).toBeGreaterThan(0);
    expect(storeChecksum()).toBe(before);
  });

  it.each([
    ['another origin', { url: 'https://evil.example/', isMainFrame: true }],
    ['a subframe of the app', { url: `${appOrigin}/`, isMainFrame: false }],
    ['a frame with no URL', { url: undefined, isMainFrame: true }],
  ])('refuses a valid write from %s and writes nothing', async (_label, sender) => {
    const before = storeChecksum();
    expectTypedError(await handleIpcCall(api, sender, 'settings.update', { language: 'zh-CN' }), 'forbidden', 'untrusted_sender');
    expectTypedError(await handleIpcCall(api, sender, 'nope.nothing', {}), 'forbidden', 'untrusted_sender');
    expect(storeChecksum()).toBe(before);
  });
});

describe('HTTP: the browser host from db/host/server.ts on 127.0.0.1', () => {
  const token = randomBytes(24).toString('base64url');
  const maxBodyBytes = 64 * 1024;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const staticDir = join(dir, 'renderer');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tilldesk</title>');
    server = createHostServer({ api, token, staticDir, maxBodyBytes });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function post(path: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Result<unknown>) : null };
  }

  /** Asserts one refusal: its status, its typed error, and an untouched store. */
  async function refused(
    send: () => Promise<{ status: number; body: Result<unknown> | null }>,
    status: number,
    code: ApiError['code'],
    reason: string = code,
  ): Promise<ApiError> {
    const before = storeChecksum();
    const { status: got, body } = await send();
    expect(got).toBe(status);
    expect(body).not.toBeNull();
    const error = expectTypedError(body as Result<unknown>, code, reason);
    expect(storeChecksum()).toBe(before);
    return error;
  }

  it('answers a call with the token (the control: a valid call works and writes)', async () => {
    const before = storeChecksum();
    const { status, body } = await post('/api/op/settings.update', JSON.stringify({ shopName: 'Corner Shop & Deli' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, value: { shopName: 'Corner Shop & Deli' } });
    expect(storeChecksum()).not.toBe(before);
  });

  it('refuses a missing, wrong or same-length wrong token with 401', async () => {
    const valid = JSON.stringify({ language: 'zh-CN' });
    await refused(() => post('/api/op/settings.update', valid, { authorization: '' }), 401, 'unauthorized', 'bad_token');
    await refused(
      () => post('/api/op/settings.update', valid, { authorization: 'Bearer nope' }),
      401,
      'unauthorized',
      'bad_token',
    );
    const sameLength = `Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await refused(() => post('/api/op/settings.update', valid, { authorization: sameLength }), 401, 'unauthorized', 'bad_token');
    await refused(() => post('/api/op/settings.update', valid, { authorization: token }), 401, 'unauthorized', 'bad_token');
    const events = await fetch(`${base}/api/events?names=sync.status`);
    expect(events.status).toBe(401);
  });

  it.each(['nope.nothing', 'settings.delete', '__proto__', 'constructor', 'toString'])(
    'refuses the unknown operation %s with a 404 typed error',
    async (name) => {
      await refused(() => post(`/api/op/${name}`, '{}'), 404, 'unknown_operation');
    },
  );

  it('refuses unknown API paths and methods with a 404 typed error', async () => {
    await refused(() => post('/api/op/', '{}'), 404, 'unknown_operation');
    await refused(() => post('/api/op/settings.update/extra', '{}'), 404, 'unknown_operation');
    await refused(() => post('/api/other', '{}'), 404, 'unknown_operation');
    const get = await fetch(`${base}/api/op/settings.get`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(404);
    expectTypedError((await get.json()) as Result<unknown>, 'unknown_operation');
  });

  it.each(invalidSettings)('refuses settings.update with %s with a 400 typed error', async (_label, input) => {
    const error = await refused(() => post('/api/op/settings.update', JSON.stringify(input)), 400, 'invalid_input');
    expect(error.issues?.length).toBeGreaterThan(0);
  });

  it('refuses malformed JSON, a wrong content type and an oversize body', async () => {
    await refused(() => post('/api/op/settings.update', '{"language": "zh-CN"'), 400, 'invalid_input', 'invalid_json');
    await refused(() => post('/api/op/settings.update', "{'language': 'zh-CN'}"), 400, 'invalid_input', 'invalid_json');
    await refused(
      () => post('/api/op/settings.update', JSON.stringify({ language: 'zh-CN' }), { 'content-type': 'text/plain' }),
      415,
      'invalid_input',
    );
    const huge = JSON.stringify({ receiptFooter: 'x'.repeat(maxBodyBytes * 2) });
    await refused(() => post('/api/op/settings.update', huge), 413, 'invalid_input', 'too_large');
  });

  it('answers only loopback host names (no DNS rebinding)', async () => {
    const before = storeChecksum();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/op/settings.update`, {
        method: 'POST',
        headers: { host: 'evil.example', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ language: 'zh-CN' }));
    });
    expect(status).toBe(421);
    expect(storeChecksum()).toBe(before);
  });
});
