/**
 * GET /v1/sync/pull: the catalog, this store's prices and this store's stock levels
 * changed after the till's cursor, a page at a time. The cursor is `epoch.change.ord` over
 * change_log, whose change ids are handed out in commit order (server/changes.ts), so a
 * row that commits late still lands after every cursor a till already holds. One page is
 * read in one REPEATABLE READ snapshot, so its rows and its lastSeq agree.
 * A cursor from another epoch (the server was restored), from before pull_floor, or from
 * the future (a restore nobody marked) gets 409 snapshot_required: start from nothing.
 */
import { maxPullLimit, type PullReply } from '../shared/sync.ts';
import type { Db } from './db.ts';
import { HttpError } from './errors.ts';

/** Past every ord of one change id. */
const endOfChange = 999_999_999_999_999;

interface Cursor {
  epoch: string;
  change: number;
  ord: number;
}

export function encodeCursor(c: Cursor): string {
  return `${c.epoch}.${c.change}.${c.ord}`;
}

function decodeCursor(text: string): Cursor {
  const match = /^([A-Za-z0-9_-]{8,64})\.(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (!match) throw new HttpError(400, 'bad_cursor', 'That cursor is not one this server gave out');
  return { epoch: match[1] ?? '', change: Number(match[2]), ord: Number(match[3]) };
}

interface ChangeRow {
  entity: 'product' | 'category' | 'tax_class' | 'price' | 'stock';
  entity_id: string;
  change_id: number;
  ord: number;
}

export async function pull(
  db: Db,
  device: { id: string; storeId: string },
  cursorText: string | undefined,
  limit: number,
): Promise<PullReply> {
  const pageSize = Math.max(1, Math.min(limit, maxPullLimit));
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const state = (
      await tx.query<{ epoch: string; pull_floor: number; clock: number }>(
        'SELECT epoch, pull_floor, (SELECT value FROM change_clock) AS clock FROM server_state',
      )
    ).rows[0];
    if (!state) throw new Error('server_state is empty');
    const cursor = cursorText ? decodeCursor(cursorText) : { epoch: state.epoch, change: 0, ord: 0 };
    // With the epoch and this till's last seq, so a till learns of a restore even with nothing to push.
    const lastSeq =
      (await tx.query<{ last_seq: number }>('SELECT last_seq FROM device WHERE id = $1', [device.id])).rows[0]?.last_seq ?? 0;
    const snapshotNeeded = (why: string) =>
      new HttpError(409, 'snapshot_required', `${why}: pull again from the start`, { epoch: state.epoch, lastSeq });
    if (cursor.epoch !== state.epoch) throw snapshotNeeded('The server was restored from a backup (new epoch)');
    if (cursorText && cursor.change < state.pull_floor) throw snapshotNeeded('That cursor is older than the change log keeps');
    if (cursor.change > state.clock) throw snapshotNeeded('That cursor is ahead of this server');

    const rows = (
      await tx.query<ChangeRow>(
        `SELECT entity, entity_id, change_id, ord FROM change_log
         WHERE store_key IN ('', $1) AND (change_id, ord) > ($2, $3)
         ORDER BY change_id, ord LIMIT $4`,
        [device.storeId, cursor.change, cursor.ord, pageSize + 1],
      )
    ).rows;
    const more = rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const ids = (entity: ChangeRow['entity']) => page.filter((r) => r.entity === entity).map((r) => r.entity_id);

    const productIds = [...new Set([...ids('product'), ...ids('price')])];
    const products = (
      await tx.query<PullReply['products'][number]>(
        `SELECT p.id, p.sku, p.name, p.barcodes, p.category_id AS "categoryId", p.unit, coalesce(sp.price, p.price) AS price,
                p.tax_class_id AS "taxClassId", p.cost, p.reorder_point AS "reorderPoint", p.active, p.updated_at AS "updatedAt", p.hlc
         FROM product p LEFT JOIN store_price sp ON sp.product_id = p.id AND sp.store_id = $2
         WHERE p.id = ANY($1::text[]) ORDER BY p.id`,
        [productIds, device.storeId],
      )
    ).rows;
    // A page carries the categories and tax classes its products refer to, so a till can
    // apply it alone whatever order the change log holds them in.
    const categoryIds = [...new Set([...ids('category'), ...products.flatMap((p) => (p.categoryId ? [p.categoryId] : []))])];
    const taxClassIds = [...new Set([...ids('tax_class'), ...products.map((p) => p.taxClassId)])];
    const categories = (
      await tx.query<PullReply['categories'][number]>(
        'SELECT id, name, position, active, hlc FROM category WHERE id = ANY($1::text[]) ORDER BY id',
        [categoryIds],
      )
    ).rows;
    const taxClasses = (
      await tx.query<PullReply['taxClasses'][number]>(
        'SELECT id, name, rate_bp AS "rateBp", hlc FROM tax_class WHERE id = ANY($1::text[]) ORDER BY id',
        [taxClassIds],
      )
    ).rows;
    const stock = (
      await tx.query<PullReply['stock'][number]>(
        `SELECT product_id AS "productId", location_id AS "locationId", on_hand AS "onHand" FROM stock_level
         WHERE store_id = $1 AND (location_id || '/' || product_id) = ANY($2::text[])`,
        [device.storeId, ids('stock')],
      )
    ).rows;
    const locations = (
      await tx.query<{ id: string; name: string }>('SELECT id, name FROM location WHERE store_id = $1 ORDER BY id', [
        device.storeId,
      ])
    ).rows;
    // The last page's cursor moves to the clock itself: every later change gets a higher id.
    const end = page.at(-1);
    const next =
      more && end
        ? { epoch: state.epoch, change: end.change_id, ord: end.ord }
        : { epoch: state.epoch, change: state.clock, ord: endOfChange };
    return {
      epoch: state.epoch,
      cursor: encodeCursor(next),
      more,
      snapshot: !cursorText,
      lastSeq,
      serverTime: new Date().toISOString(),
      locations,
      taxClasses,
      categories,
      products: products.map((p) => ({ ...p, price: Number(p.price), cost: p.cost === null ? null : Number(p.cost) })),
      stock: stock.map((s) => ({ ...s, onHand: Number(s.onHand) })),
    };
  });
}
