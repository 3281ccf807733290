import type Database from 'better-sqlite3';
import type { Unit } from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import type { MovementKind } from '../shared/stock.ts';
import type {
  StockHistoryEntry,
  StockListCursor,
  StockListFilter,
  StockListPage,
  StockListRow,
  StockLocation,
  stockListOperations,
} from '../shared/stock-list.ts';
import { phrase } from './catalog-search.ts';
import type { HandlersFor } from './dispatch.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

/**
 * The stock list's queries. Rows come in name order (case-insensitive, then rowid) so a
 * page is one walk of the NOCASE name index from the previous page's last row; each filter
 * is a condition on that walk, except where a narrower index can drive it (a category, the
 * search index, the few levels below zero). SQL text depends only on which filters are on,
 * so each shape is compiled once (db/sql.ts) and reused while the manager scrolls.
 */

type Filter = Required<{ [K in keyof StockListFilter]-?: Exclude<StockListFilter[K], undefined> }>;

interface Row {
  key: number;
  id: string;
  sku: string;
  name: string;
  barcode: string | null;
  category_id: string | null;
  unit: Unit;
  price: number;
  cost: number | null;
  reorder_point: number;
  active: number;
  on_hand: number;
}

/** Above every character a name can hold: `prefix || top` bounds a prefix range. */
const top = '\u{10FFFF}';

interface Where {
  sql: string;
  params: Record<string, string | number>;
}

/** The WHERE clause of a filter (over `product p` joined to its `stock_level s` at :loc). */
function whereOf(filter: Filter): Where {
  const parts: string[] = [];
  const params: Record<string, string | number> = { loc: filter.locationId };
  if (filter.status === 'active') parts.push('p.active = 1');
  else if (filter.status === 'inactive') parts.push('p.active = 0');
  if (filter.categoryId !== null) {
    parts.push('p.category_id = :cat');
    params.cat = filter.categoryId;
  }
  if (filter.stock === 'low') parts.push('p.reorder_point > 0 AND coalesce(s.on_hand, 0) <= p.reorder_point');
  else if (filter.stock === 'negative') {
    // Few products go below zero: start from them (index of migration 0011), not from every name.
    parts.push('p.id IN (SELECT product_id FROM stock_level WHERE location_id = :loc AND on_hand < 0)');
  }
  // SQLite's lower() folds ASCII only; fold the words the same way so they agree.
  const words = filter.search
    .trim()
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8);
  const long = words.filter((w) => [...w].length >= 3);
  const short = words.filter((w) => [...w].length < 3);
  if (long.length > 0) {
    // Trigram FTS5 over name, SKU and barcodes (migration 0002): substrings anywhere.
    parts.push('p.rowid IN (SELECT rowid FROM product_search WHERE product_search MATCH :match)');
    params.match = long.map(phrase).join(' ');
    short.forEach((word, i) => {
      parts.push(`instr(lower(p.name || ' ' || p.sku), :short${i}) > 0`);
      params[`short${i}`] = word;
    });
  } else if (short.length > 0) {
    // Too short for trigrams: names or SKUs that start with what was typed (NOCASE indexes, 0005).
    const text = filter.search.trim();
    // Two index ranges united: an OR of them would make SQLite walk every name instead.
    parts.push(
      `p.rowid IN (SELECT rowid FROM product WHERE name >= :lo COLLATE NOCASE AND name < :hi COLLATE NOCASE
         UNION ALL SELECT rowid FROM product WHERE sku >= :lo COLLATE NOCASE AND sku < :hi COLLATE NOCASE)`,
    );
    params.lo = text;
    params.hi = text + top;
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1', params };
}

/** Only the stock filters need each product's level while filtering. */
const from = (filter: Filter) =>
  filter.stock === 'low' ? 'product p LEFT JOIN stock_level s ON s.product_id = p.id AND s.location_id = :loc' : 'product p';

function toRow(row: Row, levels: Record<string, number>): StockListRow {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    barcode: row.barcode,
    categoryId: row.category_id,
    unit: row.unit,
    price: row.price,
    cost: row.cost,
    reorderPoint: row.reorder_point,
    active: row.active === 1,
    onHand: row.on_hand,
    levels,
  };
}

/** One page of the list in name order, starting after `after`. */
export function stockListPage(
  db: Database.Database,
  filter: Filter,
  after: StockListCursor | null,
  limit: number,
): StockListPage {
  const where = whereOf(filter);
  // Name ≥ the last one starts the index walk there; the rowid settles rows with equal names.
  const keyset = after
    ? ' AND p.name >= :afterName COLLATE NOCASE AND (p.name > :afterName COLLATE NOCASE OR p.rowid > :afterKey)'
    : '';
  // The page's keys first, the row details (barcode, stock) for those 100 only.
  const rows = prepared(
    db,
    `SELECT p.rowid AS key, p.id, p.sku, p.name, p.category_id, p.unit, p.price, p.cost, p.reorder_point, p.active,
       coalesce(s.on_hand, 0) AS on_hand,
       (SELECT code FROM barcode WHERE product_id = p.id ORDER BY rowid LIMIT 1) AS barcode
     FROM (
       SELECT p.rowid AS hit FROM ${from(filter)}
       WHERE ${where.sql}${keyset}
       ORDER BY p.name COLLATE NOCASE, p.rowid
       LIMIT :limit
     ) JOIN product p ON p.rowid = hit LEFT JOIN stock_level s ON s.product_id = p.id AND s.location_id = :loc
     ORDER BY p.name COLLATE NOCASE, p.rowid`,
  ).all({ ...where.params, ...(after ? { afterName: after.name, afterKey: after.key } : {}), limit }) as Row[];
  const levels = new Map<string, Record<string, number>>();
  if (rows.length > 0) {
    const found = prepared(
      db,
      'SELECT product_id, location_id, on_hand FROM stock_level WHERE product_id IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(rows.map((r) => r.id))) as { product_id: string; location_id: string; on_hand: number }[];
    for (const level of found) {
      const of = levels.get(level.product_id) ?? {};
      of[level.location_id] = level.on_hand;
      levels.set(level.product_id, of);
    }
  }
  const last = rows.at(-1);
  return {
    rows: rows.map((r) => toRow(r, levels.get(r.id) ?? {})),
    next: last && rows.length === limit ? { name: last.name, key: last.key } : null,
  };
}

export function stockListCount(db: Database.Database, filter: Filter): number {
  const count = (sql: string, params: Record<string, string | number>) => (prepared(db, sql).get(params) as { n: number }).n;
  if (filter.stock !== 'low' || filter.categoryId !== null || filter.search.trim() !== '') {
    // A category or a search narrows the products first; only those look up their stock.
    const where = whereOf(filter);
    return count(`SELECT count(*) AS n FROM ${from(filter)} WHERE ${where.sql}`, where.params);
  }
  // Low across the whole catalog = products with a reorder point, less those stocked above
  // it: starting from the stock levels (CROSS JOIN fixes the order) looks up only the
  // stocked products instead of every product's level.
  const where = whereOf({ ...filter, stock: 'any' });
  const withPoint = count(`SELECT count(*) AS n FROM product p WHERE p.reorder_point > 0 AND ${where.sql}`, where.params);
  const above = count(
    `SELECT count(*) AS n FROM stock_level s CROSS JOIN product p ON p.id = s.product_id
     WHERE s.location_id = :loc AND s.on_hand > p.reorder_point AND p.reorder_point > 0 AND ${where.sql}`,
    where.params,
  );
  return withPoint - above;
}

interface HistoryRow {
  id: string;
  kind: MovementKind;
  location_id: string;
  quantity: number;
  unit_cost: number | null;
  reason: string | null;
  order_number: string | null;
  staff_name: string | null;
  approved_by: string | null;
  device_id: string;
  occurred_at: string;
  hlc: string;
}

/**
 * Newest first by HLC (the till's own event order, whatever its wall clock did). An
 * adjustment's approver comes from its audit entry: the first one for the product written
 * at or after the movement (the same transaction writes it just after).
 */
export function stockHistory(till: Till, productId: string, limit: number, before: string | null): StockHistoryEntry[] {
  const rows = prepared(
    till.db,
    `SELECT m.id, m.kind, m.location_id, m.quantity, m.unit_cost, m.reason, m.device_id, m.occurred_at, m.hlc,
       o.number AS order_number, s.name AS staff_name,
       CASE WHEN m.kind = 'adjustment' THEN (
         SELECT (SELECT name FROM staff WHERE id = a.approved_by) FROM audit a
         WHERE a.subject = m.product_id AND a.action = 'stock.adjustment' AND a.at >= m.occurred_at
         ORDER BY a.at, a.id LIMIT 1
       ) END AS approved_by
     FROM stock_movement m LEFT JOIN staff s ON s.id = m.staff_id LEFT JOIN orders o ON o.id = m.order_id
     WHERE m.product_id = :productId AND (:before IS NULL OR m.hlc < :before)
     ORDER BY m.hlc DESC LIMIT :limit`,
  ).all({ productId, before, limit }) as HistoryRow[];
  const code = till.settings().tillCode;
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    locationId: r.location_id,
    quantity: r.quantity,
    unitCost: r.unit_cost,
    reason: r.reason,
    orderNumber: r.order_number,
    staffName: r.staff_name,
    approvedBy: r.approved_by,
    till: r.device_id === till.deviceId ? code : r.device_id.slice(0, 8),
    thisTill: r.device_id === till.deviceId,
    occurredAt: r.occurred_at,
    hlc: r.hlc,
  }));
}

export function stockListHandlers(till: Till): HandlersFor<typeof stockListOperations> {
  const { db } = till;
  return {
    'stockList.page': ({ after, limit, ...filter }) => stockListPage(db, filter, after, limit),
    'stockList.count': (filter) => ({ count: stockListCount(db, filter) }),
    'stockList.locations': () =>
      prepared(db, "SELECT id, name FROM location ORDER BY id = 'shop' DESC, name").all() as StockLocation[],
    'stockList.history': ({ productId, limit, before }) => {
      if (!prepared(db, 'SELECT 1 FROM product WHERE id = ?').get(productId)) {
        throw new TillError('not_found', 'unknown_product', `No product ${productId}`, { id: productId });
      }
      return stockHistory(till, productId, limit, before);
    },
  };
}
