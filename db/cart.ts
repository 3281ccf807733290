import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { roundDiv } from '../shared/money.ts';
import { priceOrder } from '../shared/pricing.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

/**
 * The open sale lives in SQLite from the first scan (DESIGN.md §5), so a crash or restart
 * brings it back exactly. These functions run inside the caller's transaction.
 */

export function openOrderId(till: Till): string | null {
  const row = prepared(
    till.db,
    "SELECT id FROM orders WHERE state = 'open' AND kind = 'sale' ORDER BY opened_at LIMIT 1",
  ).get() as { id: string } | undefined;
  return row?.id ?? null;
}

export function noOpenSale(): TillError {
  return new TillError('conflict', 'no_open_sale', 'There is no sale in progress');
}

export function requireOpenOrder(till: Till): string {
  const id = openOrderId(till);
  if (!id) throw noOpenSale();
  return id;
}

export function createOpenOrder(till: Till, staffId: string): string {
  const id = uuidv7(till.now().getTime());
  prepared(till.db, "INSERT INTO orders (id, kind, state, staff_id, opened_at) VALUES (?, 'sale', 'open', ?, ?)").run(
    id,
    staffId,
    till.now().toISOString(),
  );
  return id;
}

export interface ProductForSale {
  id: string;
  sku: string;
  name: string;
  unit: 'each' | 'weight';
  price: number;
  active: number;
  rate_bp: number;
}

export function productForSale(till: Till, productId: string): ProductForSale {
  const product = prepared(
    till.db,
    `SELECT p.id, p.sku, p.name, p.unit, p.price, p.active, t.rate_bp FROM product p JOIN tax_class t ON t.id = p.tax_class_id WHERE p.id = ?`,
  ).get(productId) as ProductForSale | undefined;
  if (!product) throw new TillError('not_found', 'unknown_product', `No product ${productId}`, { id: productId });
  if (product.active !== 1)
    throw new TillError('rejected', 'inactive_product', `${product.name} is not for sale`, { name: product.name });
  return product;
}

/** Each-unit goods sell in whole units; weighed goods in grams (thousandths of a kg). */
export function checkQuantity(unit: 'each' | 'weight', quantity: number, name: string): void {
  if (unit === 'each' && quantity % 1000 !== 0) {
    throw new TillError('rejected', 'whole_units_only', `${name} is sold in whole units`, { name });
  }
}

export function lineGross(unitPrice: number, quantity: number): number {
  return roundDiv(unitPrice * quantity, 1000);
}

interface PricingRow {
  id: string;
  unit_price: number;
  quantity: number;
  line_discount: number;
  tax_rate_bp: number;
  order_discount: number;
  tax: number;
  total: number;
}

/**
 * Re-prices every line and the order's totals from the line snapshots (shared/pricing.ts).
 * Only lines whose figures moved are written: a scan usually changes the new line alone.
 */
export function repriceOrder(till: Till, orderId: string): void {
  const order = prepared(till.db, 'SELECT order_discount FROM orders WHERE id = ?').get(orderId) as { order_discount: number };
  const rows = prepared(
    till.db,
    `SELECT id, unit_price, quantity, line_discount, tax_rate_bp, order_discount, tax, total
     FROM order_line WHERE order_id = ? ORDER BY position`,
  ).all(orderId) as PricingRow[];
  const totals = priceOrder(
    rows.map((r) => ({ unitPrice: r.unit_price, quantity: r.quantity, lineDiscount: r.line_discount, taxRateBp: r.tax_rate_bp })),
    rows.length === 0 ? 0 : order.order_discount,
    till.settings().taxMode,
  );
  const updateLine = prepared(till.db, 'UPDATE order_line SET order_discount = ?, tax = ?, total = ? WHERE id = ?');
  totals.lines.forEach((line, i) => {
    const row = rows[i];
    if (!row || (row.order_discount === line.orderDiscount && row.tax === line.tax && row.total === line.total)) return;
    updateLine.run(line.orderDiscount, line.tax, line.total, row.id);
  });
  prepared(
    till.db,
    'UPDATE orders SET subtotal = ?, discount_total = ?, tax_total = ?, total = ?, order_discount = ? WHERE id = ?',
  ).run(
    totals.subtotal,
    totals.discountTotal,
    totals.taxTotal,
    totals.total,
    rows.length === 0 ? 0 : order.order_discount,
    orderId,
  );
}

export function addLine(
  till: Till,
  orderId: string,
  product: ProductForSale,
  quantity: number,
  unitPrice: number,
  priceOverridden: boolean,
): void {
  const last = prepared(
    till.db,
    'SELECT id, product_id, quantity, unit_price, price_overridden, line_discount, position FROM order_line WHERE order_id = ? ORDER BY position DESC LIMIT 1',
  ).get(orderId) as
    | {
        id: string;
        product_id: string;
        quantity: number;
        unit_price: number;
        price_overridden: number;
        line_discount: number;
        position: number;
      }
    | undefined;
  // Scanning the same item again adds to its line, as a cashier expects.
  if (
    last &&
    product.unit === 'each' &&
    last.product_id === product.id &&
    last.unit_price === unitPrice &&
    last.price_overridden === 0 &&
    !priceOverridden &&
    last.line_discount === 0
  ) {
    prepared(till.db, 'UPDATE order_line SET quantity = quantity + ? WHERE id = ?').run(quantity, last.id);
    return;
  }
  prepared(
    till.db,
    `INSERT INTO order_line (id, order_id, position, product_id, sku, name, unit, quantity, unit_price, price_overridden, tax_rate_bp, unit_cost)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT cost FROM product WHERE id = ?))`,
  ).run(
    uuidv7(till.now().getTime()),
    orderId,
    (last?.position ?? 0) + 1,
    product.id,
    product.sku,
    product.name,
    product.unit,
    quantity,
    unitPrice,
    priceOverridden ? 1 : 0,
    product.rate_bp,
    product.id, // the cost snapshot (migration 0011)
  );
}

/** The next order number of this till, e.g. T01-000124. Never repeats: the counter only rises. */
export function nextOrderNumber(till: Till): string {
  const row = prepared(
    till.db,
    "INSERT INTO counter (name, value) VALUES ('order', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
  ).get() as { value: number };
  return `${till.settings().tillCode}-${String(row.value).padStart(6, '0')}`;
}

export function openShiftId(till: Till): string {
  const row = prepared(till.db, 'SELECT id FROM shift WHERE closed_at IS NULL').get() as { id: string } | undefined;
  if (!row) throw new TillError('rejected', 'no_open_shift', 'Open a shift before taking money');
  return row.id;
}
