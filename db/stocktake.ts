import type { Product } from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { CountEntry, CountResult, EntrySource, StocktakeScope, stocktakeOperations } from '../shared/stocktake.ts';
import { writeAudit } from './audit.ts';
import { lookupBarcode } from './catalog.ts';
import { findProduct } from './catalog-search.ts';
import type { HandlersFor } from './dispatch.ts';
import { prepared } from './sql.ts';
import { authorize, requireStaff } from './staff-access.ts';
import { applyStocktake } from './stocktake-apply.ts';
import { varianceCsv } from './stocktake-csv.ts';
import {
  countedLine,
  findStocktake,
  listStocktakes,
  recentLines,
  requireCounting,
  reviewStocktake,
  type StocktakeRow,
  toStocktake,
  uncountedItems,
  varianceLines,
} from './stocktake-lines.ts';
import type { Till } from './till.ts';

/**
 * Stocktakes: start a count, count by scan or typed quantity from any number of tills,
 * review variances, apply or cancel. Every entry is in SQLite the moment it is counted, so
 * pausing is leaving the screen and resuming is coming back, restarts included.
 */

/** Which products a new count covers: the active ones, and any others still holding stock there. */
const inScope = `FROM product p WHERE (p.active = 1 OR EXISTS (SELECT 1 FROM stock_level s
  WHERE s.product_id = p.id AND s.location_id = :location AND s.on_hand <> 0))`;

function fillScope(till: Till, stocktakeId: string, locationId: string, scope: StocktakeScope): void {
  const { db } = till;
  if (scope.kind === 'products') {
    const insert = prepared(db, 'INSERT OR IGNORE INTO stocktake_item (stocktake_id, product_id) VALUES (?, ?)');
    for (const id of scope.productIds) insert.run(stocktakeId, id);
    return;
  }
  const category = scope.kind === 'category' ? ' AND p.category_id = :category' : '';
  db.prepare(`INSERT INTO stocktake_item (stocktake_id, product_id) SELECT :id, p.id ${inScope}${category}`).run({
    id: stocktakeId,
    location: locationId,
    ...(scope.kind === 'category' ? { category: scope.categoryId } : {}),
  });
}

function checkScope(till: Till, locationId: string, scope: StocktakeScope): void {
  const { db } = till;
  if (!prepared(db, 'SELECT 1 FROM location WHERE id = ?').get(locationId)) {
    throw new TillError('not_found', 'unknown_location', `No location ${locationId}`, { id: locationId });
  }
  if (scope.kind === 'category' && !prepared(db, 'SELECT 1 FROM category WHERE id = ?').get(scope.categoryId)) {
    throw new TillError('not_found', 'unknown_category', 'That category does not exist', { id: scope.categoryId });
  }
  if (scope.kind === 'products') {
    const missing = db
      .prepare('SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM product)')
      .pluck()
      .get(JSON.stringify(scope.productIds)) as string | undefined;
    if (missing) throw new TillError('not_found', 'unknown_product', `No product ${missing}`, { id: missing });
  }
}

/**
 * A product may be counted if the count covers it. A count of everything (or of a category)
 * also takes products that joined the catalog (or the category) after it started.
 */
function admit(till: Till, st: StocktakeRow, product: Product): void {
  if (prepared(till.db, 'SELECT 1 FROM stocktake_item WHERE stocktake_id = ? AND product_id = ?').get(st.id, product.id)) return;
  if (st.scope === 'all' || (st.scope === 'category' && product.categoryId === st.category_id)) {
    prepared(till.db, 'INSERT INTO stocktake_item (stocktake_id, product_id) VALUES (?, ?)').run(st.id, product.id);
    return;
  }
  throw new TillError('rejected', 'not_in_scope', `${product.name} is not part of this count`, { name: product.name });
}

function wholeUnits(product: Product, quantity: number): void {
  if (product.unit === 'each' && quantity % 1000 !== 0) {
    throw new TillError('invalid_input', 'whole_units_only', `${product.name} is counted in whole units`, {
      name: product.name,
    });
  }
}

interface NewEntry {
  product: Product;
  quantity: number;
  source: EntrySource;
  code?: string;
  /** A recount: the line's live entries are replaced by this one. */
  replace?: boolean;
}

/** Writes one count entry (device, staff, counted_at) in its own transaction and returns the line. */
function addEntry(till: Till, stocktakeId: string, staffId: string, entry: NewEntry): CountResult {
  const { db } = till;
  return db.transaction(() => {
    const st = findStocktake(till, stocktakeId);
    requireCounting(st);
    admit(till, st, entry.product);
    const id = uuidv7(till.now().getTime());
    if (entry.replace) {
      prepared(
        db,
        'UPDATE stocktake_count SET replaced_by = ? WHERE stocktake_id = ? AND product_id = ? AND replaced_by IS NULL',
      ).run(id, st.id, entry.product.id);
      // Whoever recounts a line means it to count again.
      prepared(db, 'UPDATE stocktake_item SET excluded = 0 WHERE stocktake_id = ? AND product_id = ?').run(
        st.id,
        entry.product.id,
      );
    }
    prepared(
      db,
      `INSERT INTO stocktake_count (id, stocktake_id, product_id, quantity, source, code, staff_id, device_id, counted_at, hlc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      st.id,
      entry.product.id,
      entry.quantity,
      entry.source,
      entry.code ?? null,
      staffId,
      till.deviceId,
      till.now().toISOString(),
      till.nextHlc(),
    );
    return { line: countedLine(till, st.id, entry.product.id), added: entry.quantity };
  })();
}

interface EntryRow {
  id: string;
  quantity: number;
  source: EntrySource;
  code: string | null;
  staff_id: string | null;
  staff_name: string | null;
  device_id: string;
  counted_at: string;
  replaced_by: string | null;
}

export function stocktakeHandlers(till: Till): HandlersFor<typeof stocktakeOperations> {
  const { db } = till;
  const get = (id: string) => toStocktake(findStocktake(till, id));
  return {
    'stocktake.locations': () => {
      requireStaff(till);
      return prepared(db, "SELECT id, name FROM location ORDER BY id = 'shop' DESC, name").all() as {
        id: string;
        name: string;
      }[];
    },
    'stocktake.list': ({ state, limit }) => {
      requireStaff(till);
      return listStocktakes(till, state, limit);
    },
    'stocktake.get': ({ stocktakeId }) => {
      requireStaff(till);
      return get(stocktakeId);
    },
    'stocktake.start': ({ name, locationId, scope }) => {
      const staff = requireStaff(till);
      checkScope(till, locationId, scope);
      const id = uuidv7(till.now().getTime());
      db.transaction(() => {
        prepared(
          db,
          `INSERT INTO stocktake (id, name, location_id, scope, category_id, device_id, started_by, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          name || null,
          locationId,
          scope.kind,
          scope.kind === 'category' ? scope.categoryId : null,
          till.deviceId,
          staff.id,
          till.now().toISOString(),
        );
        fillScope(till, id, locationId, scope);
      })();
      return get(id);
    },
    'stocktake.scan': ({ stocktakeId, code }) => {
      const staff = requireStaff(till);
      // Inactive products are still on the shelf until counted out.
      const found = lookupBarcode(db, till.settings().embeddedBarcodeRules, code, true);
      return addEntry(till, stocktakeId, staff.id, { product: found.product, quantity: found.quantity, source: 'scan', code });
    },
    'stocktake.count': ({ stocktakeId, productId, quantity, replace }) => {
      const staff = requireStaff(till);
      const product = findProduct(db, productId);
      if (!product) throw new TillError('not_found', 'unknown_product', `No product ${productId}`, { id: productId });
      wholeUnits(product, quantity);
      return addEntry(till, stocktakeId, staff.id, { product, quantity, source: replace ? 'recount' : 'typed', replace });
    },
    'stocktake.lines': ({ stocktakeId, limit }) => {
      requireStaff(till);
      findStocktake(till, stocktakeId);
      return recentLines(till, stocktakeId, limit);
    },
    'stocktake.entries': ({ stocktakeId, productId }) => {
      requireStaff(till);
      findStocktake(till, stocktakeId);
      const rows = prepared(
        db,
        `SELECT k.*, s.name AS staff_name FROM stocktake_count k LEFT JOIN staff s ON s.id = k.staff_id
         WHERE k.stocktake_id = ? AND k.product_id = ? ORDER BY k.counted_at, k.hlc`,
      ).all(stocktakeId, productId) as EntryRow[];
      return rows.map(
        (r): CountEntry => ({
          id: r.id,
          quantity: r.quantity,
          source: r.source,
          code: r.code,
          staff: r.staff_id ? { id: r.staff_id, name: r.staff_name ?? '' } : null,
          deviceId: r.device_id,
          countedAt: r.counted_at,
          replacedBy: r.replaced_by,
        }),
      );
    },
    'stocktake.exclude': ({ stocktakeId, productId, excluded }) => {
      requireStaff(till);
      db.transaction(() => {
        requireCounting(findStocktake(till, stocktakeId));
        const changed = prepared(db, 'UPDATE stocktake_item SET excluded = ? WHERE stocktake_id = ? AND product_id = ?').run(
          excluded ? 1 : 0,
          stocktakeId,
          productId,
        );
        if (changed.changes === 0) {
          const name = findProduct(db, productId)?.name ?? productId;
          throw new TillError('rejected', 'not_in_scope', `${name} is not part of this count`, { name });
        }
      })();
      return null;
    },
    'stocktake.setUncounted': ({ stocktakeId, policy }) => {
      requireStaff(till);
      db.transaction(() => {
        requireCounting(findStocktake(till, stocktakeId));
        prepared(db, 'UPDATE stocktake SET uncounted = ? WHERE id = ?').run(policy, stocktakeId);
      })();
      return get(stocktakeId);
    },
    'stocktake.review': ({ stocktakeId, limit, offset }) => {
      requireStaff(till);
      return reviewStocktake(till, findStocktake(till, stocktakeId), limit, offset);
    },
    'stocktake.apply': ({ stocktakeId, override }) => {
      const auth = authorize(till, 'apply_stocktake', override);
      return applyStocktake(till, stocktakeId, auth);
    },
    'stocktake.cancel': ({ stocktakeId, override }) => {
      const auth = authorize(till, 'apply_stocktake', override);
      db.transaction(() => {
        const st = findStocktake(till, stocktakeId);
        requireCounting(st);
        prepared(db, "UPDATE stocktake SET state = 'cancelled', cancelled_by = ?, cancelled_at = ? WHERE id = ?").run(
          auth.staffId,
          till.now().toISOString(),
          st.id,
        );
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'stocktake.cancelled',
          subject: st.id,
          before: { state: 'counting' },
          after: { state: 'cancelled', counted: st.counted, items: st.items },
        });
      })();
      return get(stocktakeId);
    },
    'stocktake.exportCsv': ({ stocktakeId }) => {
      requireStaff(till);
      const st = findStocktake(till, stocktakeId);
      const now = till.now().toISOString();
      const csv = varianceCsv(varianceLines(till, st, now), uncountedItems(till, st, now), till.settings().currency);
      return { csv, fileName: `stocktake-${st.started_at.slice(0, 10)}-${st.id.slice(-8)}.csv` };
    },
  };
}
