/**
 * The browser-mode bridge keeps its event stream: when the host goes away and comes back on
 * the same address (killed and started again, a laptop woken up), events reach the page
 * again without a reload, and the sync light is read afresh. A real store, a real host on a
 * real port, Node's own fetch as the page's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import { createHostServer } from '../../db/host/server.ts';
import { openStore, type Store } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import { httpBridge } from '../../renderer/src/http-bridge.ts';
import type { SyncStatus } from '../../shared/sync.ts';

const token = 'test-token-0123456789abcdef0123';
let dir: string;
let store: Store;
let till: Till;
let host: Server;

function startHost(port: number): Promise<Server> {
  const api = createTillApi(till, { transport: 'http', version: 'test' });
  const server = createHostServer({ api, token, staticDir: dir });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function stopHost(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Emits until the page has it: the stream may still be connecting. */
async function deliver(productId: string, seen: string[]): Promise<void> {
  for (let i = 0; i < 200 && !seen.includes(productId); i++) {
    till.events.emit('stock.changed', { productIds: [productId] });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(seen).toContain(productId);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tilldesk-bridge-'));
  store = openStore({ dataDir: join(dir, 'data') });
  till = openTill(store);
  host = await startHost(0);
});

afterEach(async () => {
  await stopHost(host);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the browser-mode event stream', () => {
  it('comes back after the host stops and starts again on the same address, and re-reads the sync status', async () => {
    const port = (host.address() as AddressInfo).port;
    const bridge = httpBridge(token, { base: `http://127.0.0.1:${port}`, reconnectDelay: () => 50 });
    const seen: string[] = [];
    const statuses: SyncStatus[] = [];
    const offStock = bridge.subscribe('stock.changed', ({ productIds }) => seen.push(...productIds));
    const offSync = bridge.subscribe('sync.status', (s) => statuses.push(s));
    await deliver('before', seen);
    expect(statuses).toEqual([]);

    await stopHost(host);
    // Down for a while: several reconnects fail (connection refused) before it is back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    host = await startHost(port);

    await deliver('after', seen);
    await expect.poll(() => statuses.length).toBeGreaterThan(0);
    expect(statuses[0]).toMatchObject({ enrolled: false });

    offStock();
    offSync();
    // Nobody listens any more: the stream is closed, not retried.
    const before = seen.length;
    till.events.emit('stock.changed', { productIds: ['nobody'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(before);
  });

  it('answers an operation with a typed error while the host is away, and normally once it is back', async () => {
    const port = (host.address() as AddressInfo).port;
    const bridge = httpBridge(token, { base: `http://127.0.0.1:${port}` });
    await stopHost(host);
    const away = await bridge.call('sync.status', {});
    expect(away).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'host_unreachable' } });
    host = await startHost(port);
    expect(await bridge.call('sync.status', {})).toMatchObject({ ok: true, value: { enrolled: false } });
  });
});
