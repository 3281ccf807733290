/**
 * Test support: order history at scale. Writes completed sales (and some refunds) straight
 * into the store in one transaction — lines, tenders, customers — so a test can have
 * 200,000 orders in seconds. Deterministic for a seed. Not a sale path: the sale handlers
 * are tested elsewhere; this only fills the history the way they would have left it.
 */
import type { Till } from '../../db/till.ts';
import { seededRandom } from '../../shared/random.ts';

export interface GenerateOrdersOptions {
  count: number;
  seed?: number;
  /** The first order's completion time; orders follow each other by 0–59 s (some share a second). */
  start?: Date;
  staffIds: string[];
  /** Customers to create; about half the orders get one. */
  customers?: number;
  /** One in `refundEvery` sales is followed by a refund of its first line (0 = none). */
  refundEvery?: number;
}

export interface GeneratedOrders {
  orderIds: string[];
  customerIds: string[];
  lastAt: string;
}

const firstNames = ['Aoife', 'Liam', 'Wei', 'Fatima', 'Noah', 'Mei', 'Sean', 'Olga', 'Ravi', 'Chloe', 'Jun', 'Ana'];
const lastNames = ['Murphy', 'Chen', 'Kelly', 'Okafor', 'Walsh', 'Li', 'Byrne', 'Novak', 'Patel', 'Ryan', 'Wang', 'Silva'];
const tenderKinds = ['cash', 'card', 'card', 'cash', 'voucher', 'other'] as const;

/**
 * UUIDv7-shaped ids, time-ordered like the store's own, from a counter instead of the
 * system's random source: a million of those cost a second of a 200,000-order run.
 */
function idMaker(): (ms: number) => string {
  let serial = 0;
  return (ms) => {
    const time = ms.toString(16).padStart(12, '0');
    const tail = (++serial).toString(16).padStart(12, '0');
    return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${tail}`;
  };
}

export function generateOrders(till: Till, options: GenerateOrdersOptions): GeneratedOrders {
  const next = seededRandom(options.seed ?? 7);
  const int = (n: number) => Math.floor(next() * n);
  const uuidv7 = idMaker();
  const { db } = till;
  const products = db
    .prepare(
      `SELECT p.id, p.sku, p.name, p.price, t.rate_bp FROM product p JOIN tax_class t ON t.id = p.tax_class_id
       WHERE p.unit = 'each' ORDER BY p.rowid LIMIT 5000`,
    )
    .all() as { id: string; sku: string; name: string; price: number; rate_bp: number }[];
  if (products.length === 0) throw new Error('generateOrders needs products in the catalog');
  let clock = (options.start ?? new Date('2024-01-01T08:00:00Z')).getTime();
  const orderIds: string[] = [];
  const customerIds: string[] = [];

  // A big page cache for the bulk write only: random keys otherwise thrash the default 2 MB.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  // Bulk load as databases do: the history's indexes are dropped and built again from their
  // own definitions after the rows are in, which sorts once instead of inserting at random.
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('orders', 'order_line', 'tender')",
    )
    .all() as { name: string; sql: string }[];
  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    const addCustomer = db.prepare(
      `INSERT INTO customer (id, name, phone, phone_digits, email, marketing_consent, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < (options.customers ?? 0); i++) {
      const id = uuidv7(clock);
      const name = `${firstNames[i % firstNames.length]} ${lastNames[Math.floor(i / firstNames.length) % lastNames.length]} ${i}`;
      const digits = `087${String(1_000_000 + i).slice(1)}`;
      addCustomer.run(
        id,
        name,
        digits,
        digits,
        `customer${i}@example.com`,
        i % 3 === 0 ? 1 : 0,
        new Date(clock).toISOString(),
        null,
      );
      customerIds.push(id);
    }
    const addOrder = db.prepare(
      `INSERT INTO orders (id, number, kind, state, original_order_id, customer_id, staff_id, subtotal, tax_total, total, opened_at, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addLine = db.prepare(
      `INSERT INTO order_line (id, order_id, position, product_id, sku, name, unit, quantity, unit_price, tax_rate_bp, tax, total, original_line_id)
       VALUES (?, ?, ?, ?, ?, ?, 'each', ?, ?, ?, ?, ?, ?)`,
    );
    const addTender = db.prepare(
      'INSERT INTO tender (id, order_id, kind, amount, tendered, change, reference, original_tender_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?)',
    );
    const setState = db.prepare('UPDATE orders SET state = ? WHERE id = ?');
    let number = 0;
    const nextNumber = () => `G01-${String(++number).padStart(7, '0')}`;

    for (let n = 0; n < options.count; n++) {
      clock += int(60) * 1000; // 0 s apart sometimes: ties on completed_at are real
      const at = new Date(clock).toISOString();
      const id = uuidv7(clock);
      const customer = customerIds.length > 0 && next() < 0.5 ? (customerIds[int(customerIds.length)] ?? null) : null;
      const staff = options.staffIds[int(options.staffIds.length)] ?? '';
      const lines = Array.from({ length: 1 + int(4) }, (_, i) => {
        const p = products[int(products.length)] ?? products[0];
        if (!p) throw new Error('no product');
        const quantity = 1000 * (1 + int(3));
        const total = (p.price * quantity) / 1000;
        const tax = Math.round((total * p.rate_bp) / (10000 + p.rate_bp));
        return { id: uuidv7(clock), position: i + 1, p, quantity, total, tax };
      });
      const total = lines.reduce((s, l) => s + l.total, 0);
      const tax = lines.reduce((s, l) => s + l.tax, 0);
      addOrder.run(id, nextNumber(), 'sale', 'completed', null, customer, staff, total, tax, total, at, at);
      for (const l of lines)
        addLine.run(l.id, id, l.position, l.p.id, l.p.sku, l.p.name, l.quantity, l.p.price, l.p.rate_bp, l.tax, l.total, null);
      const kind = tenderKinds[int(tenderKinds.length)] ?? 'cash';
      const split = kind !== 'cash' && total > 100 && next() < 0.2;
      const first = split ? Math.floor(total / 2) : total;
      const firstId = uuidv7(clock);
      addTender.run(firstId, id, kind, first, kind === 'cash' ? first : null, kind === 'cash' ? null : `R${n}`, null);
      if (split) addTender.run(uuidv7(clock), id, 'cash', total - first, total - first, null, null);
      orderIds.push(id);

      if (options.refundEvery && n % options.refundEvery === options.refundEvery - 1) {
        const line = lines[0];
        if (!line) continue;
        clock += 1000;
        const refundAt = new Date(clock).toISOString();
        const refundId = uuidv7(clock);
        const each = line.total / (line.quantity / 1000);
        const eachTax = Math.round((each * line.p.rate_bp) / (10000 + line.p.rate_bp));
        addOrder.run(
          refundId,
          nextNumber(),
          'refund',
          'completed',
          id,
          customer,
          staff,
          -each,
          -eachTax,
          -each,
          refundAt,
          refundAt,
        );
        addLine.run(
          uuidv7(clock),
          refundId,
          1,
          line.p.id,
          line.p.sku,
          line.p.name,
          1000,
          line.p.price,
          line.p.rate_bp,
          -eachTax,
          -each,
          line.id,
        );
        addTender.run(uuidv7(clock), refundId, kind, -Math.min(each, first), null, null, firstId);
        setState.run(line.quantity === 1000 && lines.length === 1 ? 'refunded' : 'partially_refunded', id);
        orderIds.push(refundId);
      }
    }
    for (const index of indexes) db.exec(index.sql);
  })();
  db.pragma(`cache_size = ${cacheSize}`);
  return { orderIds, customerIds, lastAt: new Date(clock).toISOString() };
}
