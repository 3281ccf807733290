/** Test support: a real till on a real SQLite file in a temp folder, and a few shop-floor facts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { hashPin } from '../../db/pin.ts';
import { writeSettings } from '../../db/settings.ts';
import { openStore } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import type { Result } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/staff.ts';

export interface TestTill {
  till: Till;
  api: Api;
  dir: string;
  /** Calls an operation and returns its value, failing the test with the typed error otherwise. */
  ok<T = unknown>(name: string, input: unknown): Promise<T>;
  /** Calls an operation that must fail, and returns its typed error. */
  fails(name: string, input: unknown): Promise<Extract<Result<unknown>, { ok: false }>['error']>;
  close(): void;
}

export function makeTill(options: { dir?: string; now?: () => Date } = {}): TestTill {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tilldesk-'));
  const store = openStore({ dataDir: dir });
  const till = openTill(store, options.now ? { now: options.now } : {});
  const api = createTillApi(till, { transport: 'http', version: 'test' }, { onInternalError: (n, e) => console.error(n, e) });
  return {
    till,
    api,
    dir,
    async ok(name, input) {
      const result = await api.call(name, input);
      if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
      return result.value as never;
    },
    async fails(name, input) {
      const result = await api.call(name, input);
      if (result.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(result.value)}`);
      return result.error;
    },
    close() {
      store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function addStaff(till: Till, name: string, role: Role, pin = '1234'): string {
  const id = uuidv7();
  till.db
    .prepare('INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, name, role, hashPin(pin), till.now().toISOString());
  return id;
}

export function signIn(till: Till, staffId: string): void {
  till.session.staffId = staffId;
  till.session.lastActivityAt = till.now().getTime();
}

let taxClasses = 0;
export function addTaxClass(till: Till, rateBp: number): string {
  const id = `tax-${rateBp}-${++taxClasses}`;
  till.db.prepare('INSERT INTO tax_class (id, name, rate_bp) VALUES (?, ?, ?)').run(id, `${rateBp / 100}%`, rateBp);
  return id;
}

export interface ProductSpec {
  sku: string;
  name: string;
  price: number;
  taxClassId: string;
  unit?: 'each' | 'weight';
  barcodes?: string[];
  cost?: number;
}

export function addProduct(till: Till, spec: ProductSpec): string {
  const id = uuidv7();
  till.db
    .prepare('INSERT INTO product (id, sku, name, unit, price, tax_class_id, cost, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, spec.sku, spec.name, spec.unit ?? 'each', spec.price, spec.taxClassId, spec.cost ?? null, till.now().toISOString());
  for (const code of spec.barcodes ?? []) till.db.prepare('INSERT INTO barcode (code, product_id) VALUES (?, ?)').run(code, id);
  return id;
}

export function openShift(till: Till, staffId: string, float = 10000): string {
  const id = uuidv7();
  till.db
    .prepare('INSERT INTO shift (id, opened_by, opened_at, float) VALUES (?, ?, ?, ?)')
    .run(id, staffId, till.now().toISOString(), float);
  return id;
}

/** A small shop: EUR, VAT-inclusive, a cashier, a manager and an owner, the cashier signed in, an open shift. */
export function makeShop(
  options: { taxMode?: 'inclusive' | 'exclusive'; cashRoundingStep?: number; dir?: string; now?: () => Date } = {},
) {
  const t = makeTill(options);
  writeSettings(t.till.store, {
    setupComplete: true,
    shopName: 'Corner Shop',
    currency: 'EUR',
    taxMode: options.taxMode ?? 'inclusive',
    cashRoundingStep: options.cashRoundingStep ?? 1,
  });
  const cashier = addStaff(t.till, 'Ada Cashier', 'cashier', '1111');
  const manager = addStaff(t.till, 'Max Manager', 'manager', '2222');
  const owner = addStaff(t.till, 'Olivia Owner', 'owner', '3333');
  const standard = addTaxClass(t.till, 2000);
  const reduced = addTaxClass(t.till, 500);
  const milk = addProduct(t.till, {
    sku: 'MILK-1L',
    name: 'Oat Milk 1L',
    price: 199,
    taxClassId: reduced,
    barcodes: ['4006381333931'],
  });
  const bread = addProduct(t.till, {
    sku: 'BREAD-800',
    name: 'Sourdough Loaf 800g',
    price: 349,
    taxClassId: reduced,
    barcodes: ['5012345678900'],
  });
  const soap = addProduct(t.till, {
    sku: 'SOAP-250',
    name: 'Hand Soap 250ml',
    price: 275,
    taxClassId: standard,
    barcodes: ['036000291452'],
  });
  const apples = addProduct(t.till, { sku: 'APPLE-KG', name: 'Apples (kg)', price: 299, taxClassId: reduced, unit: 'weight' });
  signIn(t.till, cashier);
  const shift = openShift(t.till, cashier);
  return { ...t, cashier, manager, owner, standard, reduced, products: { milk, bread, soap, apples }, shift };
}
