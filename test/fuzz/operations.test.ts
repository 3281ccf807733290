/**
 * Fuzzing the contract's edges (issue 8, item 1; DESIGN.md §2, §7). Every operation of
 * shared/api.ts — the table is iterated, so a new operation is fuzzed without a word here —
 * goes through the real IPC handler (the app's frame and untrusted ones) and the real
 * browser host over HTTP, over one real till store. Inputs are adversarial (wrong types,
 * huge, deep, polluted, unicode, SQL) or shaped by the operation's own schema with
 * adversarial leaves, so handlers run too. Every call must come back as a typed Result
 * (never a throw, a 500 or an `internal` error); a refused call leaves every table exactly
 * as it was; Object.prototype stays clean; the host keeps serving.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { createHostServer, httpStatusFor } from '../../db/host/server.ts';
import { writeSettings } from '../../db/settings.ts';
import { type SyncClient, startSync } from '../../db/sync-client.ts';
import { appOrigin } from '../../electron/guards.ts';
import { handleIpcCall } from '../../electron/ipc.ts';
import { isOperationName, type OperationName, operationNames, operations } from '../../shared/api.ts';
import { catalogCsvColumns } from '../../shared/catalog.ts';
import { isApiError, type Result } from '../../shared/errors.ts';
import type { Order } from '../../shared/sale.ts';
import {
  adversarialInputs,
  anything,
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
import { storeChecksum } from '../support/store-checksum.ts';
import { makeShop, openShift, signIn } from '../support/till.ts';

const run = fuzzRun('operations', 4);
const tally = new Tally();
const internalErrors: string[] = [];
/** The latest internal error's message per operation, shown beside the input that caused it. */
const lastInternal = new Map<string, string>();
const cleanPrototype = prototypeSnapshot();

let shop: ReturnType<typeof makeShop>;
let api: Api;
let sync: SyncClient;
const servers: { close(callback: () => void): unknown }[] = [];
let closedPort = 0;
let printerPort = 0;
let junkSyncUrl = '';

function listen<T extends Server | TcpServer>(server: T): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A port nothing listens on: the address is taken, then given back. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A "sync server" that answers every request with a different kind of nonsense. */
function junkSyncServer(): Server {
  let n = 0;
  const json = { 'content-type': 'application/json' };
  const answers: ((res: import('node:http').ServerResponse) => void)[] = [
    (res) => res.writeHead(200, json).end('{}'),
    (res) => res.writeHead(200, json).end('not json'),
    (res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'),
    (res) => res.writeHead(401, json).end(JSON.stringify({ error: { reason: 'bad_enrolment_code', message: 'no' } })),
    (res) => res.writeHead(426, json).end(JSON.stringify({ error: { reason: 'schema_version_unsupported', message: 'old' } })),
    (res) => res.writeHead(200, json).end(JSON.stringify({ deviceId: '\u0000', token: 'x', __proto__: { polluted: 1 } })),
    (res) => res.destroy(),
  ];
  return createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => answers[n++ % answers.length]?.(res));
  });
}

// ------------------------------------------------------------------ the shop under fuzz

const pins = ['1111', '2222', '3333', '0000', '12345678'];
let known: Record<string, unknown[]> = {};
let staffRows: Record<string, unknown>[] = [];

/** Real ids and codes from the store, by field name, so schema-shaped inputs reach past "not found". */
function refreshKnown(): void {
  const { db } = shop.till;
  const q = (sql: string) => db.prepare(sql).pluck().all();
  const products = q('SELECT id FROM product ORDER BY rowid DESC LIMIT 40');
  const orders = q('SELECT id FROM orders ORDER BY rowid DESC LIMIT 30');
  const lines = q('SELECT id FROM order_line ORDER BY rowid DESC LIMIT 40');
  const staff = q('SELECT id FROM staff');
  const customers = q('SELECT id FROM customer ORDER BY rowid DESC LIMIT 20');
  const stocktakes = q('SELECT id FROM stocktake ORDER BY rowid DESC LIMIT 10');
  const shifts = q('SELECT id FROM shift ORDER BY rowid DESC LIMIT 10');
  const categories = q('SELECT id FROM category LIMIT 20');
  const taxClasses = q('SELECT id FROM tax_class LIMIT 20');
  const locations = q('SELECT id FROM location');
  const notes = q('SELECT id FROM support_note ORDER BY rowid DESC LIMIT 20');
  const numbers = q('SELECT number FROM orders WHERE number IS NOT NULL ORDER BY rowid DESC LIMIT 20');
  const codes = [...q('SELECT code FROM barcode LIMIT 40'), '2100001001992', '2200001006152', '2112345012345', ...numbers];
  known = {
    id: [...products, ...orders, ...customers, ...notes, ...categories, ...taxClasses],
    productId: products,
    productIds: products,
    orderId: orders,
    lineId: lines,
    staffId: staff,
    customerId: customers,
    stocktakeId: stocktakes,
    shiftId: shifts,
    categoryId: categories,
    taxClassId: taxClasses,
    locationId: locations,
    from: locations,
    to: locations,
    number: numbers,
    code: codes,
    pin: pins,
    ownerPin: pins,
    sku: q('SELECT sku FROM product LIMIT 20'),
    query: ['milk', 'Oat', 'MILK-1L', '4006381333931', 'Ann', '+353', ''],
    search: ['milk', 'soap', 'BREAD', '5012'],
    timeZone: ['Europe/Dublin', 'UTC', 'Asia/Shanghai', 'America/St_Johns', 'Pacific/Kiritimati'],
    currency: ['EUR', 'JPY', 'CNY', 'USD', 'XXX', 'BHD'],
    locale: ['en-IE', 'zh-CN', 'ar-EG', 'he-IL', 'x-invalid', 'en-u-nu-arab'],
  };
}

type Who = 'owner' | 'manager' | 'cashier' | 'nobody';
const who = fc.constantFrom<Who>('owner', 'owner', 'owner', 'manager', 'cashier', 'cashier', 'nobody');

/**
 * Puts back what earlier accepted calls may have changed so later calls still get past the
 * sign-in (a PIN changed, a role lowered, a lock-out, setup undone, the shift closed),
 * then signs in `as`. Runs before the "before" checksum, so it never hides a write.
 */
function arrange(as: Who): void {
  const { till } = shop;
  const update = till.db.prepare(
    'UPDATE staff SET name = ?, role = ?, pin_hash = ?, active = 1, failed_attempts = 0, locked_until = NULL WHERE id = ?',
  );
  for (const row of staffRows) {
    const now = till.db.prepare('SELECT * FROM staff WHERE id = ?').get(row.id) as Record<string, unknown>;
    if (JSON.stringify(now) !== JSON.stringify(row)) update.run(row.name, row.role, row.pin_hash, row.id);
  }
  if (!till.settings().setupComplete) writeSettings(till.store, { setupComplete: true });
  if (!till.db.prepare('SELECT 1 FROM shift WHERE closed_at IS NULL').get()) openShift(till, shop.cashier);
  if (as === 'nobody') till.session.staffId = null;
  else signIn(till, as === 'owner' ? shop.owner : as === 'manager' ? shop.manager : shop.cashier);
}

/** Fields whose values the test fixes, so no call reaches the internet, a real printer or a disk outside the test. */
function overrides(): Record<string, fc.Arbitrary<unknown>> {
  return {
    serverUrl: fc.constantFrom(`http://127.0.0.1:${closedPort}`, junkSyncUrl, `${junkSyncUrl}/sub/`),
    host: fc.constantFrom('127.0.0.1', 'localhost'),
    port: fc.constantFrom(closedPort, printerPort),
    backupFolder: fc.oneof(
      fc.constant(''),
      fc.constant(join(shop.dir, 'not-a-folder')),
      nastyString.map((s) => join(shop.dir, 'backups', s.replace(/[/\\.]/g, '_').slice(0, 100))),
    ),
    setupComplete: fc.constant(true),
    products: fc.integer({ min: 10, max: 30 }),
    csv: fc.oneof(fc.string({ maxLength: 200 }), catalogCsv),
  };
}

/** A catalog file like an export, its cells mutated: quotes, separators, formulas, odd numbers. */
const exampleRow = [
  'MILK-1L',
  'Oat Milk 1L',
  '4006381333931|5012345678900',
  'Dairy',
  'each',
  '1.99',
  '5%',
  '0.90',
  '2.5',
  'true',
];
const catalogCsv = fc
  .tuple(
    fc.array(mutatedCopies(exampleRow, false, 0.3), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([rows, newline, quoteAll]) => {
    const cell = (value: unknown) => {
      const text = typeof value === 'string' ? value : toJsonText(value);
      return quoteAll || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    };
    const lines = rows.map((row) => (Array.isArray(row) ? row.map(cell).join(',') : cell(row)));
    return [catalogCsvColumns.join(','), ...lines].join(newline);
  });

// ------------------------------------------------------------------ one call, every rule

interface Outcome {
  result: unknown;
  /** HTTP only. */
  status?: number;
}

const pinCounters = { staff: ['failed_attempts', 'locked_until'] };

/**
 * The store's checksum, kept between calls: recomputed whenever the connection every
 * handler writes through has changed a row since (SQLite's total_changes counts every row
 * inserted, updated or deleted, rolled back or not) or another connection committed
 * (data_version). A call that moved neither cannot have changed a table, so refusals are
 * compared in full exactly when something could have been written.
 */
const watched = { mark: '', checksum: '', counters: '' };
function storeState(): { checksum: string; counters: string } {
  const { db } = shop.till;
  const mark = `${db.prepare('SELECT total_changes()').pluck().get()}/${db.pragma('data_version', { simple: true })}`;
  if (mark !== watched.mark) {
    watched.mark = mark;
    watched.checksum = storeChecksum(db, { skipColumns: pinCounters });
    watched.counters = JSON.stringify(db.prepare('SELECT id, failed_attempts, locked_until FROM staff ORDER BY id').all());
  }
  return { checksum: watched.checksum, counters: watched.counters };
}

/** Does the call bring a PIN (a manager's override, a sign-in)? */
function carriesPin(input: unknown): boolean {
  return typeof input === 'object' && input !== null && ('override' in input || 'pin' in input);
}

/**
 * Runs one call and checks it: a typed Result (an HTTP status that matches it), never
 * `internal`, Object.prototype clean, and when refused every table as it was (a PIN that
 * came with the call may only change its own count: that is the lock-out working).
 */
async function exercise(
  transport: string,
  name: unknown,
  input: unknown,
  send: () => Promise<Outcome>,
  expected?: { code: string; reason?: string },
  /** False for requests the host refuses before the contract (framing, type, size, host): any 4xx. */
  contractStatus = true,
): Promise<Result<unknown> | null> {
  const where = `${transport} ${typeof name === 'string' ? name.slice(0, 60) : preview(name, 60)}`;
  const problem = (what: string, detail?: string) => tally.problem(where, what, input, detail);
  const before = storeState();
  let outcome: Outcome;
  try {
    outcome = await send();
  } catch (error) {
    problem('threw', String(error));
    return null;
  }
  const result = outcome.result as Result<unknown> | null;
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
    problem('not a Result', `${outcome.status ?? ''} ${preview(result)}`);
    return null;
  }
  tally.count(transport, result.ok);
  if (result.ok) {
    if (!('value' in result)) problem('ok without a value');
    if (outcome.status !== undefined && outcome.status !== 200) problem(`ok with HTTP ${outcome.status}`);
  } else {
    const { error } = result;
    if (!isApiError(error) || typeof error.reason !== 'string' || error.reason === '' || error.message === '') {
      problem('untyped error', preview(error));
    } else {
      if (error.code === 'internal') problem('internal error', lastInternal.get(String(name)) ?? error.message);
      const status = outcome.status;
      if (status !== undefined && (contractStatus ? status !== httpStatusFor[error.code] : status < 400 || status >= 500)) {
        problem(`HTTP ${outcome.status} for ${error.code}`);
      }
    }
    const after = storeState();
    if (after.checksum !== before.checksum) {
      problem('refused but the store changed', error?.reason);
    } else if (
      after.counters !== before.counters &&
      !['wrong_pin', 'locked_out'].includes(error?.reason ?? '') &&
      !carriesPin(input)
    ) {
      // A PIN that was checked may count (wrong) or clear its count (right), whatever the handler decides next.
      problem('refused but a PIN counter changed', error?.reason);
    }
  }
  if (
    expected &&
    (result.ok || result.error.code !== expected.code || (expected.reason && result.error.reason !== expected.reason))
  ) {
    problem(`not ${expected.code}/${expected.reason ?? '*'}`, preview(result, 200));
  }
  if (prototypeSnapshot() !== cleanPrototype) problem('Object.prototype changed');
  return result;
}

// ------------------------------------------------------------------ the transports

const appFrame = { url: `${appOrigin}/`, isMainFrame: true };

function viaIpc(sender: { url: string | undefined; isMainFrame: boolean }, name: unknown, input: unknown) {
  return async (): Promise<Outcome> => {
    const result = await handleIpcCall(api, sender, name, input);
    // Electron hands the answer back through structured clone: it must survive one.
    structuredClone(result);
    return { result };
  };
}

const token = randomBytes(24).toString('base64url');
let base = '';
let hostPort = 0;

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Outcome> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  let result: unknown = null;
  try {
    result = JSON.parse(text);
  } catch {
    result = `(not JSON) ${text.slice(0, 100)}`;
  }
  return { result, status: response.status };
}

/** Percent-encodes a name byte by byte (encodeURIComponent throws on a lone surrogate). */
function pathSegment(name: string): string {
  return [...Buffer.from(name, 'utf8')]
    .map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`))
    .join('');
}

const viaHttp = (name: string, input: unknown) => () => post(`/api/op/${pathSegment(name)}`, toJsonText(input));

/** Asserts the host still answers a plain call. */
async function hostServes(): Promise<void> {
  arrange('owner');
  const { result, status } = await post('/api/op/app.info', '{}');
  expect(status).toBe(200);
  expect(result).toMatchObject({ ok: true, value: { name: 'Tilldesk' } });
}

// ------------------------------------------------------------------ set-up

beforeAll(async () => {
  shop = makeShop();
  api = createTillApi(
    shop.till,
    { transport: 'ipc', version: 'fuzz' },
    {
      onInternalError: (name, error) => {
        lastInternal.set(name, error instanceof Error ? error.message : String(error));
        internalErrors.push(
          `${name}: ${error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 3).join(' | ') : String(error)}`,
        );
      },
    },
  );
  // The real sync client, without its timer, so only the fuzzed calls touch the store.
  sync = startSync(shop.till, { background: false, timeoutMs: 5000 });
  closedPort = await freePort();
  const printer = createTcpServer((socket) => {
    socket.on('error', () => {});
    socket.resume();
  });
  printerPort = await listen(printer);
  junkSyncUrl = `http://127.0.0.1:${await listen(junkSyncServer())}`;
  writeFileSync(join(shop.dir, 'not-a-folder'), 'a file where a folder should be');

  const ok = async <T>(name: OperationName, input: unknown): Promise<T> => {
    const result = await api.call(name, input);
    if (!result.ok) throw new Error(`seeding ${name}: ${JSON.stringify(result.error)}`);
    return result.value as T;
  };
  const { till, products } = shop;
  signIn(till, shop.cashier);
  await ok('sale.addItem', { productId: products.milk, quantity: 2000 });
  await ok('sale.scan', { code: '5012345678900' });
  const sold = await ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 2000 }] });
  await ok('sale.addItem', { productId: products.soap });
  await ok('sale.park', {});
  await ok('sale.addItem', { productId: products.apples, quantity: 615 });
  signIn(till, shop.manager);
  const customer = await ok<{ id: string }>('customer.save', {
    name: 'Ann Customer',
    phone: '+353 1 234 5678',
    email: 'ann@example.com',
  });
  await ok('note.open', { customerId: customer.id, category: 'complaint', body: 'The loaf was stale' });
  await ok('stock.receive', { supplier: 'Acme', lines: [{ productId: products.milk, quantity: 24_000, unitCost: 90 }] });
  const line = sold.lines[0];
  if (!line) throw new Error('the seeded sale has no lines');
  await ok('sale.refund', { orderId: sold.id, lines: [{ lineId: line.id, quantity: 1000 }], reason: 'Leaking carton' });
  await ok('fulfilment.create', {
    orderId: sold.id,
    address: { recipient: 'Ann', line1: '1 Main St', city: 'Cork', country: 'Ireland' },
  });
  const count = await ok<{ id: string }>('stocktake.start', { name: 'Weekly', scope: { kind: 'all' } });
  await ok('stocktake.count', { stocktakeId: count.id, productId: products.bread, quantity: 3000 });
  staffRows = till.db.prepare('SELECT * FROM staff').all() as Record<string, unknown>[];
  refreshKnown();

  const staticDir = join(shop.dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tilldesk</title>');
  hostPort = await listen(createHostServer({ api, token, staticDir }));
  base = `http://127.0.0.1:${hostPort}`;
}, 120_000);

afterAll(async () => {
  tally.print('operations');
  const slowest = [...opTime].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`[fuzz] slowest operations: ${slowest.map(([n, ms]) => `${n} ${Math.round(ms)} ms`).join(', ')}`);
  if (internalErrors.length > 0)
    console.log(`[fuzz] internal errors logged by the dispatcher:\n  ${internalErrors.slice(0, 20).join('\n  ')}`);
  await sync?.stop();
  for (const server of servers) {
    (server as Server).closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  shop?.close();
});

/** Every operation's inputs, drawn for one property: the nth operation gets the nth seed. */
async function fuzzEveryOperation(
  property: number,
  inputsFor: (name: OperationName) => fc.Arbitrary<unknown>,
  runs: number,
  call: (name: OperationName, input: unknown) => Promise<void>,
): Promise<void> {
  let calls = 0;
  for (const [i, name] of operationNames.entries()) {
    const started = performance.now();
    const cases = draw(fc.tuple(inputsFor(name), who), runs, run.seedFor(property * 1000 + i));
    for (const [input, as] of cases) {
      if (++calls % 40 === 0) refreshKnown();
      arrange(as);
      await call(name, input);
    }
    opTime.set(name, (opTime.get(name) ?? 0) + performance.now() - started);
  }
}

/** Milliseconds spent per operation (generation included), to see where a run's time goes. */
const opTime = new Map<string, number>();

/** The problems found since `from` (each test checks its own). */
function expectNoProblems(from: number): void {
  const found = tally.summary(from);
  expect(found, found.slice(0, 10).join('\n')).toEqual([]);
}

// ------------------------------------------------------------------ IPC

describe('IPC: electron/ipc.ts handleIpcCall with the app’s own frame', () => {
  it('answers adversarial inputs to every operation with typed errors', async () => {
    const from = tally.problems.length;
    await fuzzEveryOperation(
      1,
      (name) => adversarialInputs(operations[name].input, true),
      run.runs,
      async (name, input) => {
        await exercise('ipc adversarial', name, input, viaIpc(appFrame, name, input));
      },
    );
    expectNoProblems(from);
  }, 300_000);

  it('runs schema-shaped inputs with adversarial leaves without an internal error', async () => {
    const from = tally.problems.length;
    const options = { ipc: true, known: (field: string) => known[field], overrides: overrides() };
    await fuzzEveryOperation(
      2,
      (name) => schemaInputs(operations[name].input, options),
      run.runs * 3,
      async (name, input) => {
        await exercise('ipc schema-shaped', name, input, viaIpc(appFrame, name, input));
      },
    );
    expectNoProblems(from);
  }, 300_000);

  it('refuses unknown operation names', async () => {
    const from = tally.problems.length;
    const names = fc.oneof(
      fc.string(),
      nastyString,
      fc.constantFrom(...operationNames).map((n) => `${n}x`),
      fc.constantFrom(...operationNames).map((n) => n.toUpperCase()),
      fc.constantFrom(...operationNames).map((n) => ` ${n}`),
      anything(true),
    );
    for (const [name, input] of draw(fc.tuple(names, anything(true)), run.runs * 40, run.seedFor(3))) {
      if (isOperationName(name)) continue;
      arrange('owner');
      await exercise('ipc unknown name', name, input, viaIpc(appFrame, name, input), { code: 'unknown_operation' });
    }
    expectNoProblems(from);
  }, 300_000);
});

describe('IPC: frames other than the app’s own', () => {
  it('refuses every operation, however well-formed the input, and writes nothing', async () => {
    const from = tally.problems.length;
    const senders = fc.oneof(
      fc.record({ url: fc.constant(`${appOrigin}/`), isMainFrame: fc.constant(false) }),
      fc.record({
        url: fc.oneof(
          fc.constant(undefined),
          fc.webUrl(),
          nastyString,
          fc.constantFrom(
            'app://tilldesk.evil/',
            'app://evil/',
            'app://tilldesk@evil/',
            'file:///index.html',
            'app:tilldesk',
            'about:blank',
            'devtools://devtools/',
          ),
        ),
        isMainFrame: fc.boolean(),
      }),
    );
    const options = { ipc: true, known: (field: string) => known[field], overrides: overrides() };
    await fuzzEveryOperation(
      4,
      (name) => fc.tuple(senders, schemaInputs(operations[name].input, options)),
      run.runs,
      async (name, pair) => {
        const [sender, input] = pair as [{ url: string | undefined; isMainFrame: boolean }, unknown];
        await exercise('ipc untrusted frame', name, input, viaIpc(sender, name, input), {
          code: 'forbidden',
          reason: 'untrusted_sender',
        });
      },
    );
    expectNoProblems(from);
  }, 300_000);
});

// ------------------------------------------------------------------ HTTP

describe('HTTP: the browser host from db/host/server.ts on 127.0.0.1', () => {
  it('answers adversarial JSON inputs to every operation with typed errors', async () => {
    const from = tally.problems.length;
    await fuzzEveryOperation(
      5,
      (name) => adversarialInputs(operations[name].input, false),
      run.runs,
      async (name, input) => {
        await exercise('http adversarial', name, input, viaHttp(name, input));
      },
    );
    await hostServes();
    expectNoProblems(from);
  }, 300_000);

  it('runs schema-shaped inputs with adversarial leaves without an internal error', async () => {
    const from = tally.problems.length;
    const options = { ipc: false, known: (field: string) => known[field], overrides: overrides() };
    await fuzzEveryOperation(
      6,
      (name) => schemaInputs(operations[name].input, options),
      run.runs * 3,
      async (name, input) => {
        await exercise('http schema-shaped', name, input, viaHttp(name, input));
      },
    );
    await hostServes();
    expectNoProblems(from);
  }, 300_000);

  it('refuses unknown operation names in the path', async () => {
    const from = tally.problems.length;
    const names = fc.oneof(
      fc.string({ minLength: 1 }),
      nastyString,
      fc.constantFrom(...operationNames).map((n) => `${n}x`),
    );
    for (const name of draw(names, run.runs * 20, run.seedFor(7))) {
      if (isOperationName(name)) continue;
      arrange('owner');
      await exercise('http unknown name', name, {}, () => post(`/api/op/${pathSegment(name)}`, '{}'), {
        code: 'unknown_operation',
      });
    }
    await hostServes();
    expectNoProblems(from);
  }, 300_000);

  it('refuses bodies that are not JSON, wrong content types, odd methods, paths, tokens and hosts', async () => {
    const from = tally.problems.length;
    const writeOp = '/api/op/settings.update';
    const bodies: (string | Buffer)[] = [
      '{',
      '{"shopName":',
      "{'shopName': 'x'}",
      'shopName=x',
      '\ufeff{"receiptFooter": "bom"}',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x7d]),
      Buffer.from('{"receiptFooter": "\u0000"}'),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      '[]',
      'null',
      '"a string"',
      '1e400',
      '{"cashRoundingStep": 1e400}',
      '{"cashRoundingStep": -0}',
      '{"cashRoundingStep": 9007199254740993}',
      '{"receiptFooter": "a", "receiptFooter": 5}',
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      `${'['.repeat(200_000)}`,
      ...pollutionTexts,
      JSON.stringify({ receiptFooter: 'x'.repeat(1_100_000) }),
      toJsonText(nastyValues(false)[10]),
    ];
    for (const body of bodies) {
      arrange('owner');
      await exercise('http raw body', 'settings.update', preview(String(body), 80), () => post(writeOp, body), undefined, false);
    }
    const valid = JSON.stringify({ receiptFooter: 'fuzz' });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'APPLICATION/JSON',
      '',
      'json',
    ]) {
      arrange('owner');
      await exercise(
        'http content type',
        'settings.update',
        type,
        () => post(writeOp, valid, { 'content-type': type }),
        { code: 'invalid_input' },
        false,
      );
    }
    // Over the body limit (8 MB by default): refused before it is read whole.
    arrange('owner');
    await exercise(
      'http raw body',
      'settings.update',
      '9 MB',
      () => post(writeOp, JSON.stringify({ receiptFooter: 'x'.repeat(9_000_000) })),
      { code: 'invalid_input', reason: 'too_large' },
      false,
    );

    // Requests no well-behaved client sends, written byte by byte.
    const auth = `Bearer ${token}`;
    const json = { host: `127.0.0.1:${hostPort}`, authorization: auth, 'content-type': 'application/json' };
    const raw: [string, Buffer | string][] = [
      ...['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'].map((m): [string, Buffer] => [
        m,
        rawHttp(m, writeOp, json, valid),
      ]),
      ['unknown method', rawHttp('FOO', writeOp, json, valid)],
      ['no token', rawHttp('POST', writeOp, { ...json, authorization: '' }, valid)],
      ['lower-case bearer', rawHttp('POST', writeOp, { ...json, authorization: `bearer ${token}` }, valid)],
      [
        'basic auth',
        rawHttp('POST', writeOp, { ...json, authorization: `Basic ${Buffer.from(`a:${token}`).toString('base64')}` }, valid),
      ],
      ['token with a control byte', rawHttp('POST', writeOp, { ...json, authorization: `Bearer ${token}\u0001` }, valid)],
      ['token in latin-1', rawHttp('POST', writeOp, { ...json, authorization: `Bearer ${token.slice(0, -1)}é` }, valid)],
      ['a 12 kB token', rawHttp('POST', writeOp, { ...json, authorization: `Bearer ${'t'.repeat(12_000)}` }, valid)],
      ['another host', rawHttp('POST', writeOp, { ...json, host: 'evil.example' }, valid)],
      ['a look-alike host', rawHttp('POST', writeOp, { ...json, host: '127.0.0.1.evil.example' }, valid)],
      ['an empty host', rawHttp('POST', writeOp, { ...json, host: '' }, valid)],
      ['no host', rawHttp('POST', writeOp, { authorization: auth, 'content-type': 'application/json' }, valid)],
      ['a host with a bad port', rawHttp('POST', writeOp, { ...json, host: 'localhost:abc' }, valid)],
      ['a path with a dot-dot', rawHttp('POST', '/api/../api/op/settings.update', json, valid)],
      ['an encoded name', rawHttp('POST', '/api/op/settings%2Eupdate', json, valid)],
      ['a double slash', rawHttp('POST', '/api//op/settings.update', json, valid)],
      ['an absolute URL', rawHttp('POST', `http://evil.example${writeOp}`, json, valid)],
      ['a broken absolute URL', rawHttp('POST', 'http://[', json, valid)],
      ['a 20 kB path', rawHttp('POST', `/api/op/${'a'.repeat(20_000)}`, json, valid)],
      ['a name over 100 characters', rawHttp('POST', `/api/op/${'a'.repeat(101)}`, json, valid)],
      ['events by POST', rawHttp('POST', '/api/events?names=sync.status', json, valid)],
      ['no request line', Buffer.from('GARBAGE\r\n\r\n')],
      ['HTTP/9.9', Buffer.from(`POST ${writeOp} HTTP/9.9\r\nhost: 127.0.0.1\r\n\r\n`)],
      [
        'a header without a colon',
        Buffer.from(`POST ${writeOp} HTTP/1.1\r\nhost: 127.0.0.1\r\nnonsense\r\nconnection: close\r\n\r\n`),
      ],
      ['a negative length', rawHttp('POST', writeOp, { ...json, 'content-length': '-1' }, valid)],
      ['a length that is not a number', rawHttp('POST', writeOp, { ...json, 'content-length': 'abc' }, valid)],
      [
        'length and chunked together',
        rawHttp('POST', writeOp, { ...json, 'transfer-encoding': 'chunked', 'content-length': '5' }, '0\r\n\r\n'),
      ],
      [
        'a bad chunk',
        rawHttp('POST', writeOp, { ...json, 'transfer-encoding': 'chunked' }, 'zz\r\nhello\r\n0\r\n\r\n', {
          contentLength: false,
        }),
      ],
      [
        'a NUL in the path',
        Buffer.from(`POST /api/op/settings.update\u0000 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`),
      ],
    ];
    for (const [label, request] of raw) {
      arrange('owner');
      await exercise(
        'http raw request',
        label,
        preview(request.toString('latin1'), 80),
        async () => {
          const response = await rawRequest(hostPort, request);
          let result: unknown = `(not JSON) HTTP ${response.status}: ${response.body.slice(0, 100)}`;
          try {
            result = JSON.parse(response.body);
          } catch {}
          return { result, status: response.status };
        },
        undefined,
        false,
      );
    }
    // A client that gives up before its body is complete gets nothing run, and the host carries on.
    const before = storeChecksum(shop.till.db);
    const cut = await rawRequest(hostPort, rawHttp('POST', writeOp, { ...json, 'content-length': '500' }, valid), {
      hangUp: true,
    });
    tally.count('http raw request', false);
    if (cut.status >= 500) tally.problem('http raw request cut short', `HTTP ${cut.status}`);
    if (storeChecksum(shop.till.db) !== before) tally.problem('http raw request cut short', 'the store changed');
    await hostServes();
    expectNoProblems(from);
  }, 300_000);

  it('serves static paths without a 500 however odd they are', async () => {
    const from = tally.problems.length;
    const paths = [
      '/',
      '/index.html',
      '/%',
      '/%E0%A4%A',
      '/%ff',
      '/%00',
      '/a%00b.js',
      '/..%2F..%2Fetc%2Fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/....//....//etc/passwd',
      '/..\\..\\etc\\passwd',
      `/${'a'.repeat(5000)}`,
      '/assets/%C0%AE%C0%AE/',
      '/%uD800',
      '/?q=%',
    ];
    for (const path of [...paths, ...draw(fc.webPath(), run.runs * 10, run.seedFor(8))]) {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const response = await rawRequest(hostPort, rawHttp(method, path || '/', { host: `127.0.0.1:${hostPort}` }));
        tally.count('http static path', response.status < 400);
        if (response.status === 0 || response.status >= 500)
          tally.problem(`http static ${method}`, `HTTP ${response.status}`, path, response.body.slice(0, 120));
        if (response.status >= 400 && method !== 'HEAD') {
          let body: unknown = null;
          try {
            body = JSON.parse(response.body);
          } catch {}
          const error = (body as { error?: unknown } | null)?.error;
          if (!isApiError(error)) tally.problem(`http static ${method}`, `HTTP ${response.status} without a typed error`, path);
        }
      }
    }
    await hostServes();
    expectNoProblems(from);
  }, 300_000);
});
