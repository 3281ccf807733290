/**
 * The sync protocol between a till and the server (DESIGN.md §6), and the till's sync rows
 * of the contract. Both ends parse with these schemas, so a field renamed on one side
 * fails the other's tests instead of a shop's data.
 */
import { z } from 'zod';
import { operation } from './contract.ts';
import { overrideSchema } from './staff.ts';

/**
 * Protocol versions. 2 is current; the server also accepts 1 (a till not yet updated),
 * whose ops carried no hybrid-logical clock, and answers 426 to anything else.
 */
export const syncSchemaVersion = 2;
export const acceptedSchemaVersions: readonly number[] = [1, 2];
/** Ops per push; the till sends at most this many, the server refuses more (400). */
export const maxBatchOps = 200;
/** Change rows per pull page. */
export const defaultPullLimit = 500;
export const maxPullLimit = 2000;

const idSchema = z.string().min(1).max(64);
export const isoTimeSchema = z.iso.datetime({ offset: true });
/** `<ms, 15 digits>-<counter, 6 digits>-<device>` (shared/hlc.ts). */
export const hlcSchema = z.string().regex(/^\d{15}-\d{6}-[^\s]{1,64}$/, 'Not a hybrid logical clock stamp');
/** A server epoch: a new one after every restore from backup. */
export const epochSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** One outbox entry as it travels: the till's business event, in the till's own order. */
export const opEnvelopeSchema = z
  .object({
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    opId: z.uuid(),
    type: z
      .string()
      .max(64)
      .regex(/^[a-z]+(\.[a-z_]+)+$/),
    /** Checked per type by the server: a bad payload rejects that op, never the batch. */
    payload: z.unknown(),
    occurredAt: isoTimeSchema,
    hlc: hlcSchema,
  })
  .strict();
export type OpEnvelope = z.infer<typeof opEnvelopeSchema>;
/** Version 1 ops had no hlc; the server derives one from occurredAt and the device. */
export const opEnvelopeV1Schema = opEnvelopeSchema.extend({ hlc: hlcSchema.optional() }).strict();

function pushRequest<O extends z.ZodType>(op: O) {
  return z
    .object({
      deviceId: idSchema,
      /** The server epoch this till last saw; another one means the server was restored. */
      epoch: epochSchema,
      schemaVersion: z.number().int(),
      /** The till's clock when it sent this, so the server can record skew. */
      sentAt: isoTimeSchema.optional(),
      ops: z.array(op).min(1).max(maxBatchOps),
    })
    .strict();
}
export const pushRequestSchema = pushRequest(opEnvelopeSchema);
export const pushRequestV1Schema = pushRequest(opEnvelopeV1Schema);
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const opResultSchema = z
  .object({
    seq: z.number().int(),
    opId: z.string(),
    status: z.enum(['applied', 'rejected']),
    error: z.object({ reason: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();
export type OpResult = z.infer<typeof opResultSchema>;

export const pushReplySchema = z
  .object({
    epoch: epochSchema,
    /** The last seq the server holds for this device, after this batch. */
    lastSeq: z.number().int().min(0),
    /** One per op of the batch up to the first gap, in seq order; nothing else is settled. */
    results: z.array(opResultSchema),
    /** Present when the batch skipped ahead: the server needs this seq next. */
    gap: z
      .object({ expectedSeq: z.number().int().min(1) })
      .strict()
      .optional(),
  })
  .strict();
export type PushReply = z.infer<typeof pushReplySchema>;

export const enrolRequestSchema = z
  .object({
    code: z.string().trim().min(4).max(40),
    deviceName: z.string().trim().min(1).max(80),
    /** The till's installation id (its store's device_id setting). */
    installId: idSchema,
    schemaVersion: z.number().int(),
    /** The first seq this till will push; the server expects it next. */
    firstSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const locationSchema = z.object({ id: idSchema, name: z.string().max(120) }).strict();

export const enrolReplySchema = z
  .object({
    deviceId: idSchema,
    token: z.string().min(20).max(200),
    storeId: idSchema,
    storeName: z.string(),
    currency: z.string(),
    epoch: epochSchema,
    lastSeq: z.number().int().min(0),
    locations: z.array(locationSchema),
  })
  .strict();
export type EnrolReply = z.infer<typeof enrolReplySchema>;

export const statusReplySchema = z
  .object({
    deviceId: idSchema,
    deviceName: z.string(),
    storeId: idSchema,
    storeName: z.string(),
    epoch: epochSchema,
    lastSeq: z.number().int().min(0),
    serverTime: isoTimeSchema,
    schemaVersion: z.number().int(),
    acceptedSchemaVersions: z.array(z.number().int()),
    /** Server time minus the till's sentAt on its last push (network time included). */
    clockSkewMs: z.number().int().nullable(),
  })
  .strict();
export type StatusReply = z.infer<typeof statusReplySchema>;

export const pulledProductSchema = z
  .object({
    id: idSchema,
    sku: z.string().min(1).max(64),
    name: z.string().min(1).max(200),
    barcodes: z.array(z.string().max(48)).max(20),
    categoryId: idSchema.nullable(),
    unit: z.enum(['each', 'weight']),
    /** This store's price when it has one, else the chain's. */
    price: z.number().int().min(0),
    taxClassId: idSchema,
    cost: z.number().int().min(0).nullable(),
    reorderPoint: z.number().int().min(0),
    active: z.boolean(),
    updatedAt: z.string(),
    hlc: z.string(),
  })
  .strict();
export type PulledProduct = z.infer<typeof pulledProductSchema>;

export const pulledCategorySchema = z
  .object({ id: idSchema, name: z.string().min(1).max(80), position: z.number().int(), active: z.boolean(), hlc: z.string() })
  .strict();
export const pulledTaxClassSchema = z
  .object({ id: idSchema, name: z.string().min(1).max(60), rateBp: z.number().int().min(0), hlc: z.string() })
  .strict();
export const pulledStockSchema = z.object({ productId: idSchema, locationId: idSchema, onHand: z.number().int() }).strict();

export const pullReplySchema = z
  .object({
    epoch: epochSchema,
    /** Pass back as `cursor` for the next page; opaque to the till. */
    cursor: z.string().max(200),
    /** True while more changes wait after this page. */
    more: z.boolean(),
    /** This page started from nothing: the till replaces what it held from the server. */
    snapshot: z.boolean(),
    /** The device's last applied seq as of this page: the levels include its ops up to here. */
    lastSeq: z.number().int().min(0),
    serverTime: isoTimeSchema,
    locations: z.array(locationSchema),
    taxClasses: z.array(pulledTaxClassSchema),
    categories: z.array(pulledCategorySchema),
    products: z.array(pulledProductSchema),
    stock: z.array(pulledStockSchema),
  })
  .strict();
export type PullReply = z.infer<typeof pullReplySchema>;

/** Every non-2xx reply of the sync routes. */
export const syncErrorSchema = z
  .object({
    error: z
      .object({
        reason: z.string(),
        message: z.string(),
        /** On 409 epoch_changed: the server's epoch and the last seq it holds for the device. */
        epoch: z.string().optional(),
        lastSeq: z.number().int().optional(),
        acceptedSchemaVersions: z.array(z.number().int()).optional(),
      })
      .strict(),
  })
  .strict();
export type SyncErrorBody = z.infer<typeof syncErrorSchema>;

/** Server error reasons a till acts on. */
export const syncReasons = {
  epochChanged: 'epoch_changed',
  snapshotRequired: 'snapshot_required',
  unknownToken: 'unknown_token',
  deviceRevoked: 'device_revoked',
  upgradeRequired: 'schema_version_unsupported',
} as const;

// ---------------------------------------------------------------- the till's contract rows

/**
 * not_enrolled: no server set up; idle: all pushed; syncing: a cycle is running; offline:
 * the server could not be reached (retrying with backoff); revoked: the server will not
 * take this till's ops any more — its token was revoked or is unknown, or its op history
 * clashes with what the server holds (lastError.reason says which); the outbox is kept and
 * nothing is retried until the till enrols again; upgrade_required: the server no longer
 * speaks this till's protocol; error: the server failed (retrying).
 */
export const syncStates = ['not_enrolled', 'idle', 'syncing', 'offline', 'revoked', 'upgrade_required', 'error'] as const;
export type SyncState = (typeof syncStates)[number];

export interface SyncStatus {
  enrolled: boolean;
  state: SyncState;
  online: boolean;
  serverUrl: string | null;
  storeName: string | null;
  deviceName: string | null;
  /** The server's id for this till. */
  deviceId: string | null;
  /** Ops not yet acknowledged by the server. */
  waiting: number;
  /** Ops the server refused; they show in the back office and never block the queue. */
  rejected: number;
  lastSyncAt: string | null;
  lastError: { reason: string; message: string; at: string } | null;
  /** When the next automatic attempt runs (after a failure), or null. */
  nextAttemptAt: string | null;
  epoch: string | null;
}

export const syncOpStatuses = ['waiting', 'rejected', 'applied'] as const;
export interface SyncOpRow {
  seq: number;
  opId: string;
  type: string;
  status: (typeof syncOpStatuses)[number];
  occurredAt: string;
  error: string | null;
  ackedAt: string | null;
  /** A one-line description for the list (order number, product, ...). */
  summary: string;
}

export interface SyncedStockLevel {
  locationId: string;
  /** What this till's own ledger says. */
  local: number;
  /** The server's level at the last pull, or null when never pulled. */
  server: number | null;
  /** This till's movements the server had not counted at that pull. */
  unsynced: number;
  /** What to show: server + unsynced once pulled, else local. */
  shown: number;
}

const empty = z.object({}).strict();

export const syncOperations = {
  'sync.status': operation<SyncStatus>()(empty, 'anyone'),
  'sync.enrol': operation<SyncStatus>()(
    z
      .object({
        serverUrl: z
          .string()
          .trim()
          .max(500)
          .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'An http(s) address such as https://sync.example.com'),
        code: z.string().trim().min(4).max(40),
        deviceName: z.string().trim().min(1).max(80).optional(),
        override: overrideSchema.optional(),
      })
      .strict(),
    // Owners (manage_settings) or anyone with an owner's override: checked by the handler.
    'staff',
  ),
  'sync.now': operation<SyncStatus>()(empty, 'staff'),
  'sync.ops': operation<SyncOpRow[]>()(
    z
      .object({
        status: z.enum(syncOpStatuses).default('waiting'),
        limit: z.number().int().min(1).max(500).default(100),
        /** Paging: rows with seq below this. */
        beforeSeq: z.number().int().min(1).optional(),
      })
      .strict(),
    'staff',
  ),
  'sync.stock': operation<SyncedStockLevel[]>()(z.object({ productId: idSchema }).strict(), 'staff'),
};
