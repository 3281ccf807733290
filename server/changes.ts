import { type Queryable, runParts, type SqlPart } from './db.ts';

/**
 * What a transaction changed that tills pull: catalog rows chain-wide, prices and stock
 * levels per store. Collected while the transaction works, written to change_log last.
 */
export type ChangeEntity = 'tax_class' | 'category' | 'product' | 'price' | 'stock';
/** Pull pages list referenced rows before the rows that reference them. */
const entityOrder: Record<ChangeEntity, number> = { tax_class: 0, category: 1, product: 2, price: 3, stock: 4 };

export interface ChangeSet {
  add(entity: ChangeEntity, storeKey: string, entityId: string): void;
  readonly size: number;
}

export function changeSet(): ChangeSet & { entries(): [ChangeEntity, string, string][] } {
  const keys = new Map<string, [ChangeEntity, string, string]>();
  return {
    add(entity, storeKey, entityId) {
      keys.set(`${entity}\u0000${storeKey}\u0000${entityId}`, [entity, storeKey, entityId]);
    },
    get size() {
      return keys.size;
    },
    entries: () => [...keys.values()].sort((a, b) => entityOrder[a[0]] - entityOrder[b[0]]),
  };
}

export const stockEntityId = (locationId: string, productId: string) => `${locationId}/${productId}`;

/**
 * Stamps the transaction's changes with the next change id and records them in the change
 * log (one row per entity: its latest change). Call it as the transaction's LAST write.
 *
 * Why the cursor cannot skip a late-committing row: the change id comes from one counter
 * row, incremented with UPDATE. That row stays locked until this transaction commits, so
 * the next transaction to take a change id waits here until this one has committed (or
 * rolled back). Change ids are therefore handed out in commit order: once a reader sees
 * change n, every change below n is already visible, and a cursor (change_id, ord) that a
 * puller keeps can never jump past a row that shows up later. Taking the id last keeps
 * the lock to the final statements and the commit, so writers serialise only briefly.
 * (The alternative, reading only rows whose xid is below the snapshot's xmin, needs
 * txid bookkeeping on every row and is harder to get right with wraparound.)
 */
export async function stampChanges(tx: Queryable, changes: ReturnType<typeof changeSet>): Promise<void> {
  await runParts(tx, [stampPart(changes)]);
}

/**
 * stampChanges as a piece of a bigger statement (server/db.ts runParts), the last of a push.
 * `after`: a CTE of the same statement that takes row locks. The clock is taken only once
 * it has run to the end (its rows are read first): CTEs of one statement otherwise run in
 * no set order, and a push holding the clock while it waits for a stock row another push
 * holds — that push waiting for the clock — would deadlock.
 */
export function stampPart(changes: ReturnType<typeof changeSet>, after: string | null = null): SqlPart | null {
  if (changes.size === 0) return null;
  const entries = changes.entries();
  const once = after ? ` WHERE (SELECT count(*) FROM ${after}) >= 0` : '';
  // One ord per row, in entry order: a plain scan of unnest yields the arrays in order.
  return {
    ctes: [
      `change_stamp AS (UPDATE change_clock SET value = value + 1${once} RETURNING value)`,
      `change_logged AS (
         INSERT INTO change_log (entity, store_key, entity_id, change_id, ord)
         SELECT e, s, i, (SELECT value FROM change_stamp), nextval('change_log_ord')
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t (e, s, i)
         ON CONFLICT (entity, store_key, entity_id) DO UPDATE SET change_id = excluded.change_id, ord = excluded.ord
       )`,
    ],
    params: [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2])],
  };
}
