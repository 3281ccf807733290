/**
 * The till's side of sync (DESIGN.md §6), in the store: which ops go up next, what the
 * server's answers change in the outbox, what a pull writes (catalog, prices, this store's
 * stock levels), and the contract rows the settings screen, the header indicator and the
 * sync screen call. The network loop that drives it is db/sync-client.ts.
 */
import { TillError } from '../shared/errors.ts';
import type {
  EnrolReply,
  OpEnvelope,
  PullReply,
  PushReply,
  SyncedStockLevel,
  SyncOpRow,
  SyncStatus,
  syncOperations,
} from '../shared/sync.ts';
import { writeAudit } from './audit.ts';
import { addBarcodes, findProduct, removeBarcodes, toRecord, writeProduct } from './catalog-search.ts';
import type { HandlersFor } from './dispatch.ts';
import { prepared } from './sql.ts';
import { authorize, requireStaff } from './staff-access.ts';
import type { Till } from './till.ts';

/** Where the device token is kept. Electron plugs in a safeStorage-backed one. */
export interface TokenVault {
  get(): string | null;
  set(token: string | null): void;
}

/** The default vault: the store's setting table (key sync_token), until Electron wraps it. */
export function settingTokenVault(till: Till): TokenVault {
  return {
    get() {
      const row = prepared(till.db, "SELECT value FROM setting WHERE key = 'sync_token'").get() as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as string) : null;
    },
    set(token) {
      if (token === null) prepared(till.db, "DELETE FROM setting WHERE key = 'sync_token'").run();
      else
        prepared(
          till.db,
          "INSERT INTO setting (key, value) VALUES ('sync_token', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ).run(JSON.stringify(token));
    },
  };
}

export interface SyncState {
  serverUrl: string;
  deviceId: string;
  deviceName: string;
  storeId: string;
  storeName: string;
  epoch: string;
  pullCursor: string | null;
  pulledSeq: number;
  lastSyncAt: string | null;
  lastError: { reason: string; message: string; at: string } | null;
  halted: string | null;
}

interface SyncStateRow {
  server_url: string;
  device_id: string;
  device_name: string;
  store_id: string;
  store_name: string;
  epoch: string;
  pull_cursor: string | null;
  pulled_seq: number;
  last_sync_at: string | null;
  last_error_reason: string | null;
  last_error_message: string | null;
  last_error_at: string | null;
  halted: string | null;
}

export function readSyncState(till: Till): SyncState | null {
  const row = prepared(till.db, 'SELECT * FROM sync_state WHERE id = 1').get() as SyncStateRow | undefined;
  if (!row) return null;
  return {
    serverUrl: row.server_url,
    deviceId: row.device_id,
    deviceName: row.device_name,
    storeId: row.store_id,
    storeName: row.store_name,
    epoch: row.epoch,
    pullCursor: row.pull_cursor,
    pulledSeq: row.pulled_seq,
    lastSyncAt: row.last_sync_at,
    lastError:
      row.last_error_reason && row.last_error_at
        ? { reason: row.last_error_reason, message: row.last_error_message ?? '', at: row.last_error_at }
        : null,
    halted: row.halted,
  };
}

/** The seq the server should expect first from this till after (re-)enrolling. */
export function firstSeqToPush(till: Till): number {
  const row = till.db
    .prepare("SELECT (SELECT min(seq) FROM outbox) AS first, (SELECT seq FROM sqlite_sequence WHERE name = 'outbox') AS last")
    .get() as { first: number | null; last: number | null };
  return row.first ?? (row.last ?? 0) + 1;
}

/**
 * Records an enrolment. The whole outbox goes up again under the new device id: a till
 * enrolled anew (revoked, or its server restored from before it enrolled) cannot know what
 * the server still holds, and the server recognises ops it already applied by their ids.
 */
export function saveEnrolment(till: Till, serverUrl: string, deviceName: string, reply: EnrolReply, vault: TokenVault): void {
  till.db.transaction(() => {
    prepared(
      till.db,
      `INSERT INTO sync_state (id, server_url, device_id, device_name, store_id, store_name, epoch, pull_cursor, pulled_seq, enrolled_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, NULL, 0, ?)
       ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, device_id = excluded.device_id,
         device_name = excluded.device_name, store_id = excluded.store_id, store_name = excluded.store_name,
         epoch = excluded.epoch, pull_cursor = NULL, pulled_seq = 0, enrolled_at = excluded.enrolled_at,
         last_error_reason = NULL, last_error_message = NULL, last_error_at = NULL, halted = NULL`,
    ).run(serverUrl, reply.deviceId, deviceName, reply.storeId, reply.storeName, reply.epoch, till.now().toISOString());
    prepared(till.db, "UPDATE outbox SET status = 'waiting', error = NULL, acked_at = NULL WHERE status <> 'waiting'").run();
    prepared(till.db, 'DELETE FROM server_stock').run();
    upsertLocations(till, reply.locations);
    vault.set(reply.token);
  })();
}

/** The next ops to push, oldest first, bounded by count and by size; after `afterSeq` (ops already in flight). */
export function nextBatch(till: Till, maxOps: number, maxBytes: number, afterSeq = 0): OpEnvelope[] {
  const rows = prepared(
    till.db,
    "SELECT seq, op_id, type, payload, occurred_at, hlc FROM outbox WHERE status = 'waiting' AND seq > ? ORDER BY seq LIMIT ?",
  ).all(afterSeq, maxOps) as { seq: number; op_id: string; type: string; payload: string; occurred_at: string; hlc: string }[];
  const batch: OpEnvelope[] = [];
  let bytes = 0;
  for (const r of rows) {
    bytes += r.payload.length + 200;
    // Always at least one op; a batch is consecutive, so it stops at the first hole (an op
    // already settled between two waiting ones is never skipped over).
    if (batch.length > 0 && (bytes > maxBytes || r.seq !== (batch.at(-1)?.seq ?? 0) + 1)) break;
    batch.push({
      seq: r.seq,
      opId: r.op_id,
      type: r.type,
      payload: JSON.parse(r.payload),
      occurredAt: r.occurred_at,
      hlc: r.hlc,
    });
  }
  return batch;
}

export function countOps(till: Till): { waiting: number; rejected: number } {
  return prepared(
    till.db,
    // Two walks of the (status, seq) index: cheap however long the outbox's history grows.
    "SELECT (SELECT count(*) FROM outbox WHERE status = 'waiting') AS waiting, (SELECT count(*) FROM outbox WHERE status = 'rejected') AS rejected",
  ).get() as { waiting: number; rejected: number };
}

/**
 * Marks settled exactly the ops the reply names as applied or rejected (matching seq and
 * op id); everything else stays waiting. A gap puts every op from the seq the server
 * needs back to waiting, so the next push starts there.
 */
export function applyPushReply(till: Till, reply: PushReply): { settled: number } {
  const now = till.now().toISOString();
  let settled = 0;
  till.db.transaction(() => {
    const mark = prepared(till.db, 'UPDATE outbox SET status = ?, error = ?, acked_at = ? WHERE seq = ? AND op_id = ?');
    for (const r of reply.results) {
      const error = r.error ? JSON.stringify(r.error) : null;
      settled += mark.run(r.status, error, now, r.seq, r.opId).changes;
    }
    if (reply.gap) {
      prepared(till.db, "UPDATE outbox SET status = 'waiting', error = NULL, acked_at = NULL WHERE seq >= ?").run(
        reply.gap.expectedSeq,
      );
    }
    prepared(till.db, 'UPDATE sync_state SET epoch = ? WHERE id = 1').run(reply.epoch);
  })();
  return { settled };
}

/**
 * The server was restored from a backup (a new epoch): whatever it lacks — every op after
 * the last seq it holds for this till — goes up again, and the next pull is a snapshot.
 */
export function rewindForEpoch(till: Till, epoch: string, lastSeq: number): number {
  return till.db.transaction(() => {
    const reopened = prepared(till.db, "UPDATE outbox SET status = 'waiting', error = NULL, acked_at = NULL WHERE seq > ?").run(
      lastSeq,
    ).changes;
    prepared(till.db, 'UPDATE sync_state SET epoch = ?, pull_cursor = NULL WHERE id = 1').run(epoch);
    return reopened;
  })();
}

export function recordSyncError(till: Till, reason: string, message: string, halted: string | null = null): void {
  prepared(
    till.db,
    'UPDATE sync_state SET last_error_reason = ?, last_error_message = ?, last_error_at = ?, halted = coalesce(?, halted) WHERE id = 1',
  ).run(reason, message.slice(0, 500), till.now().toISOString(), halted);
}

export function recordSyncSuccess(till: Till): void {
  prepared(
    till.db,
    'UPDATE sync_state SET last_sync_at = ?, last_error_reason = NULL, last_error_message = NULL, last_error_at = NULL WHERE id = 1',
  ).run(till.now().toISOString());
}

export function resetPullCursor(till: Till): void {
  prepared(till.db, 'UPDATE sync_state SET pull_cursor = NULL WHERE id = 1').run();
}

function upsertLocations(till: Till, locations: { id: string; name: string }[]): void {
  const put = prepared(
    till.db,
    'INSERT INTO location (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name',
  );
  for (const l of locations) put.run(l.id, l.name);
}

/** Is a local edit of this record still waiting to go up? Then it wins until the server has ruled. */
function pendingEdit(till: Till, type: string, id: string): boolean {
  return (
    prepared(
      till.db,
      "SELECT 1 FROM outbox WHERE status = 'waiting' AND type = ? AND json_extract(payload, '$.id') = ? LIMIT 1",
    ).get(type, id) !== undefined
  );
}

function applyPulledProduct(till: Till, p: PullReply['products'][number]): void {
  const { db } = till;
  if (pendingEdit(till, 'catalog.product_saved', p.id)) return;
  const existing = findProduct(db, p.id);
  // Another local product holding this SKU is one the server never accepted (two tills made
  // the same SKU offline): it gives the SKU up, keeping its id, its sales and an audit trail.
  const clash = prepared(db, 'SELECT id, sku FROM product WHERE sku = ? AND id <> ?').get(p.sku, p.id) as
    | { id: string; sku: string }
    | undefined;
  if (clash) {
    const renamed = `${clash.sku}~${clash.id.slice(-6)}`.slice(0, 64);
    prepared(db, 'UPDATE product SET sku = ? WHERE id = ?').run(renamed, clash.id);
    writeAudit(till, {
      staffId: null,
      action: 'sync.sku_given_up',
      subject: clash.id,
      before: { sku: clash.sku },
      after: { sku: renamed },
    });
  }
  const record = {
    id: p.id,
    sku: p.sku,
    name: p.name,
    barcodes: p.barcodes,
    categoryId: p.categoryId,
    unit: p.unit,
    price: p.price,
    taxClassId: p.taxClassId,
    cost: p.cost,
    reorderPoint: p.reorderPoint,
    active: p.active,
    updatedAt: p.updatedAt,
  };
  const before = existing ? toRecord(existing) : null;
  if (before && before.barcodes.join('|') !== p.barcodes.join('|')) removeBarcodes(db, p.id);
  writeProduct(db, record, before);
  if (!before || before.barcodes.join('|') !== p.barcodes.join('|')) {
    const free = prepared(db, 'DELETE FROM barcode WHERE code = ? AND product_id <> ?');
    for (const code of p.barcodes) free.run(code, p.id);
    addBarcodes(db, p.id, p.barcodes);
  }
}

/**
 * Writes one pull page in one transaction. Returns the products whose stock or catalog row
 * changed. The caller has checked the page's epoch: a page from another epoch is a restore
 * to handle (rewindForEpoch), never something to apply quietly.
 */
export function applyPullPage(till: Till, page: PullReply): string[] {
  const { db } = till;
  const touched = new Set<string>();
  db.transaction(() => {
    if (page.snapshot) prepared(db, 'DELETE FROM server_stock').run();
    upsertLocations(till, page.locations);
    const putTax = prepared(
      db,
      'INSERT INTO tax_class (id, name, rate_bp) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp',
    );
    // Later local edits must sort after what the server has: the newest stamp on the page, once.
    const newest = [...page.taxClasses, ...page.categories, ...page.products]
      .map((stamped) => stamped.hlc)
      .reduce<string | null>((a, b) => (a === null || b.slice(0, 22) > a.slice(0, 22) ? b : a), null);
    if (newest) till.observeHlc(newest);
    for (const t of page.taxClasses) if (!pendingEdit(till, 'catalog.tax_class_saved', t.id)) putTax.run(t.id, t.name, t.rateBp);
    const putCategory = prepared(
      db,
      `INSERT INTO category (id, name, position, active) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, active = excluded.active`,
    );
    for (const c of page.categories) {
      if (!pendingEdit(till, 'catalog.category_saved', c.id)) putCategory.run(c.id, c.name, c.position, c.active ? 1 : 0);
    }
    for (const p of page.products) {
      applyPulledProduct(till, p);
      touched.add(p.id);
    }
    const putStock = prepared(
      db,
      `INSERT INTO server_stock (product_id, location_id, on_hand) VALUES (?, ?, ?)
       ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = excluded.on_hand`,
    );
    for (const s of page.stock) {
      putStock.run(s.productId, s.locationId, s.onHand);
      touched.add(s.productId);
    }
    prepared(db, 'UPDATE sync_state SET pull_cursor = ? WHERE id = 1').run(page.cursor);
    // Only a finished pull is a consistent picture of the server as of one moment.
    if (!page.more) prepared(db, 'UPDATE sync_state SET pulled_seq = ? WHERE id = 1').run(page.lastSeq);
  })();
  return [...touched];
}

/**
 * What to show for a product's stock: once pulled, the server's level plus this till's own
 * movements the server had not yet counted at that pull (ops after pulled_seq, rejected
 * ones excepted); before any pull, the till's own ledger.
 */
export function syncedStockLevels(till: Till, productId: string): SyncedStockLevel[] {
  const state = readSyncState(till);
  const pulled = state !== null && state.pullCursor !== null;
  const since = state?.pulledSeq ?? 0;
  const rows = till.db
    .prepare(
      `WITH mv AS (
         SELECT m.value AS v FROM outbox o, json_each(o.payload, '$.movements') m WHERE o.seq > :since AND o.status <> 'rejected'
         UNION ALL
         SELECT json_extract(o.payload, '$.movement') FROM outbox o
         WHERE o.seq > :since AND o.status <> 'rejected' AND json_type(o.payload, '$.movement') = 'object'
       ), unsynced AS (
         SELECT json_extract(v, '$.locationId') AS location_id, sum(json_extract(v, '$.quantity')) AS q FROM mv
         WHERE json_extract(v, '$.productId') = :product GROUP BY 1
       )
       SELECT l.id AS locationId, coalesce(s.on_hand, 0) AS local, ss.on_hand AS server, coalesce(u.q, 0) AS unsynced
       FROM location l
       LEFT JOIN stock_level s ON s.location_id = l.id AND s.product_id = :product
       LEFT JOIN server_stock ss ON ss.location_id = l.id AND ss.product_id = :product
       LEFT JOIN unsynced u ON u.location_id = l.id
       ORDER BY l.id = 'shop' DESC, l.name`,
    )
    .all({ since, product: productId }) as { locationId: string; local: number; server: number | null; unsynced: number }[];
  return rows.map((r) => ({
    ...r,
    shown: pulled ? (r.server ?? 0) + r.unsynced : r.local,
  }));
}

function summarise(type: string, payload: string): string {
  try {
    const p = JSON.parse(payload) as Record<string, unknown>;
    const pick = (o: unknown, key: string) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);
    const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
    if (type === 'sale.completed') return text(pick(p.order, 'number'));
    if (type === 'sale.refunded') return text(pick(p.refund, 'number'));
    if (type === 'sale.voided') return text(p.number);
    if (type.startsWith('catalog.')) return [text(p.sku), text(p.name)].filter(Boolean).join(' · ');
    if (Array.isArray(p.movements)) return String(p.movements.length);
    return '';
  } catch {
    return '';
  }
}

export function listSyncOps(till: Till, status: SyncOpRow['status'], limit: number, beforeSeq?: number): SyncOpRow[] {
  const rows = prepared(
    till.db,
    `SELECT seq, op_id, type, status, occurred_at, error, acked_at, payload FROM outbox
     WHERE status = ? AND seq < ? ORDER BY seq ${status === 'waiting' ? 'ASC' : 'DESC'} LIMIT ?`,
  ).all(status, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit) as {
    seq: number;
    op_id: string;
    type: string;
    status: SyncOpRow['status'];
    occurred_at: string;
    error: string | null;
    acked_at: string | null;
    payload: string;
  }[];
  return rows.map((r) => ({
    seq: r.seq,
    opId: r.op_id,
    type: r.type,
    status: r.status,
    occurredAt: r.occurred_at,
    error: r.error,
    ackedAt: r.acked_at,
    summary: summarise(r.type, r.payload),
  }));
}

/** Live facts the network loop knows and the store does not. */
export interface SyncRuntime {
  online: boolean;
  syncing: boolean;
  nextAttemptAt: string | null;
}

export function syncStatus(till: Till, runtime: SyncRuntime | null): SyncStatus {
  const state = readSyncState(till);
  const { waiting, rejected } = countOps(till);
  const base = {
    waiting,
    rejected,
    online: runtime?.online ?? false,
    nextAttemptAt: runtime?.nextAttemptAt ?? null,
  };
  if (!state) {
    return {
      ...base,
      enrolled: false,
      state: 'not_enrolled',
      serverUrl: null,
      storeName: null,
      deviceName: null,
      deviceId: null,
      lastSyncAt: null,
      lastError: null,
      epoch: null,
    };
  }
  const halted = state.halted === 'upgrade_required' ? 'upgrade_required' : state.halted ? 'revoked' : null;
  return {
    ...base,
    enrolled: true,
    state:
      halted ??
      (runtime?.syncing
        ? 'syncing'
        : runtime && !runtime.online && state.lastError
          ? 'offline'
          : state.lastError
            ? 'error'
            : 'idle'),
    serverUrl: state.serverUrl,
    storeName: state.storeName,
    deviceName: state.deviceName,
    deviceId: state.deviceId,
    lastSyncAt: state.lastSyncAt,
    lastError: state.lastError,
    epoch: state.epoch,
  };
}

/** The network side the contract rows drive; db/sync-client.ts provides it. */
export interface SyncDriver {
  status(): SyncStatus;
  syncNow(): Promise<SyncStatus>;
  enrol(serverUrl: string, code: string, deviceName: string): Promise<SyncStatus>;
}

const drivers = new WeakMap<Till, SyncDriver>();

/** Called by the client when it starts for a till; the contract rows use it from then on. */
export function registerSyncDriver(till: Till, driver: SyncDriver | null): void {
  if (driver) drivers.set(till, driver);
  else drivers.delete(till);
}

/** The running client, or one made on first use (so enrolling from the UI starts syncing). */
async function driverFor(till: Till): Promise<SyncDriver> {
  const running = drivers.get(till);
  if (running) return running;
  const { startSync } = await import('./sync-client.ts');
  return startSync(till);
}

export function syncHandlers(till: Till): HandlersFor<typeof syncOperations> {
  return {
    'sync.status': () => drivers.get(till)?.status() ?? syncStatus(till, null),
    'sync.enrol': async ({ serverUrl, code, deviceName, override }) => {
      authorize(till, 'manage_settings', override);
      const name = deviceName ?? `${till.settings().shopName} ${till.settings().tillCode}`.slice(0, 80);
      return (await driverFor(till)).enrol(serverUrl.replace(/\/+$/, ''), code, name);
    },
    'sync.now': async () => {
      requireStaff(till);
      if (!readSyncState(till)) throw new TillError('rejected', 'sync_not_enrolled', 'Enrol this till with a sync server first');
      return (await driverFor(till)).syncNow();
    },
    'sync.ops': ({ status, limit, beforeSeq }) => {
      requireStaff(till);
      return listSyncOps(till, status, limit, beforeSeq);
    },
    'sync.stock': ({ productId }) => {
      requireStaff(till);
      return syncedStockLevels(till, productId);
    },
  };
}
