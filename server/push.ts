/**
 * POST /v1/sync/push, exactly as DESIGN.md §6: each batch is applied in a transaction with
 * its device row locked (SELECT … FOR UPDATE), so two copies of one batch — a retry racing
 * its original — run one after the other and the second only reads stored results.
 * - seq ≤ last applied → the stored result, nothing applied again;
 * - seq = last + 1 → apply, record, advance;
 * - seq > last + 1 → stop and name the seq needed (a gap);
 * - a permanent problem with one op → recorded as rejected, and the queue advances;
 * - a temporary failure (database gone, deadlock) → the whole batch rolls back and the
 *   route answers 503; nothing of it is recorded, so the retry starts clean.
 *
 * Speed. Every payload is checked before any transaction begins. Pushes that arrive while
 * a transaction is running are applied together in the next one (group commit): twenty
 * tills of one shop sell the same products, and each transaction holds those products'
 * stock rows until its durable commit, so one transaction (and one disk flush) for all of
 * them beats twenty in a queue. A group is written with a fixed number of statements
 * however many ops it holds (results, orders and ledger rows; stock moved, rows locked in
 * one sorted order; the change stamp). Each batch in it stays all or nothing: a temporary
 * failure fails the group, and every push in it answers 503. When a statement fails for
 * good (an op whose data PostgreSQL will not take), each push is written again on its own,
 * then op by op in savepoints, so only that op is rejected.
 */
import { encodeHlc } from '../shared/hlc.ts';
import { maxBatchOps, type OpEnvelope, type OpResult, type PushReply } from '../shared/sync.ts';
import { type ChangeSet, changeSet, stampPart } from './changes.ts';
import { type Db, type Queryable, runParts, type SqlPart } from './db.ts';
import { HttpError, OpRejected } from './errors.ts';
import { type OpPlan, type Placed, planOp, stockKeys, writePlans } from './ops.ts';
import { lockStock } from './stock.ts';

export interface PushInput {
  deviceId: string;
  epoch: string;
  sentAt?: string | undefined;
  /** Version-1 ops may lack hlc; push() derives one. */
  ops: (Omit<OpEnvelope, 'hlc'> & { hlc?: string | undefined })[];
}

export interface PushHooks {
  /** Test seam: runs inside the transaction after the ops, before COMMIT (once per push in it). */
  beforeCommit?: (deviceId: string) => Promise<void> | void;
}

export interface PushOutcome {
  reply: PushReply;
  applied: number;
  rejected: number;
  duplicates: number;
  repeated: number;
}

/** Ops in one group transaction at most (a push is never split). */
const maxGroupOps = 4 * maxBatchOps;

interface StoredResult {
  device_id: string;
  seq: number;
  op_id: string;
  status: 'applied' | 'rejected';
  error_reason: string | null;
  error_message: string | null;
}

function storedResult(row: StoredResult): OpResult {
  const result: OpResult = { seq: Number(row.seq), opId: row.op_id, status: row.status };
  if (row.status === 'rejected') result.error = { reason: row.error_reason ?? 'rejected', message: row.error_message ?? '' };
  return result;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the op's data is wrong for good. */
function permanentDbError(error: unknown): OpRejected | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) {
    return new OpRejected('invalid_data', (error as Error).message);
  }
  return null;
}

/** A checked op: its plan, or why it can never be applied. */
interface Checked {
  op: OpEnvelope;
  plan: OpPlan | null;
  rejected: OpRejected | null;
}

function check(op: OpEnvelope): Checked {
  try {
    return { op, plan: planOp(op), rejected: null };
  } catch (error) {
    if (error instanceof OpRejected) return { op, plan: null, rejected: error };
    throw error;
  }
}

/** One push waiting for its group. */
interface Job {
  input: PushInput;
  checked: Checked[];
  skew: number | null;
  hooks: PushHooks;
  resolve: (outcome: PushOutcome) => void;
  reject: (error: unknown) => void;
}

/** One applied_op row. */
interface Outcome {
  deviceId: string;
  op: OpEnvelope;
  status: 'applied' | 'rejected';
  error: OpRejected | null;
  duplicate: boolean;
}

/** The outcomes' applied_op rows, as a piece of a statement. */
function outcomesPart(outcomes: readonly Outcome[], keepPayload = true): SqlPart | null {
  if (outcomes.length === 0) return null;
  const rows = outcomes.map((o) => ({
    d: o.deviceId,
    seq: o.op.seq,
    id: o.op.opId,
    type: o.op.type,
    status: o.status,
    reason: o.error?.reason ?? null,
    message: o.error?.message ?? null,
    payload: keepPayload ? (o.op.payload ?? null) : null,
    at: o.op.occurredAt,
    hlc: o.op.hlc,
    dup: o.duplicate,
  }));
  return {
    ctes: [
      `outcomes AS (
         INSERT INTO applied_op (device_id, seq, op_id, type, status, error_reason, error_message, payload, occurred_at, hlc, duplicate)
         SELECT d, seq, id, type, status, reason, message, coalesce(payload, 'null'::json), at, hlc, dup
         FROM json_to_recordset($1::json) AS r (d text, seq bigint, id uuid, type text, status text, reason text, message text,
                                                payload json, at timestamptz, hlc text, dup boolean)
       )`,
    ],
    params: [JSON.stringify(rows)],
  };
}

interface DeviceSeen {
  id: string;
  last: number;
  skew: number | null;
}

/** Each device's last seq, when it was last seen and its clock skew. */
const devicesPart = (devices: readonly DeviceSeen[]): SqlPart | null =>
  devices.length === 0
    ? null
    : {
        ctes: [
          `devices_seen AS (
             UPDATE device d SET last_seq = v.last, last_seen_at = now(), clock_skew_ms = coalesce(v.skew, d.clock_skew_ms)
             FROM json_to_recordset($1::json) AS v (id text, last bigint, skew bigint) WHERE d.id = v.id
           )`,
        ],
        params: [JSON.stringify(devices)],
      };

/** Thrown out of the fast path: write the pushes again, each alone, op by op if need be. */
class OneByOne extends Error {}

export async function push(db: Db, input: PushInput, hooks: PushHooks = {}): Promise<PushOutcome> {
  for (let i = 1; i < input.ops.length; i++) {
    if (input.ops[i]?.seq !== (input.ops[i - 1]?.seq ?? 0) + 1) {
      throw new HttpError(400, 'batch_not_consecutive', 'A batch holds consecutive seqs in order');
    }
  }
  const receivedAt = Date.now();
  // Checked before any transaction: no connection or lock is held while payloads are parsed.
  const checked = input.ops.map((raw) =>
    check({ ...raw, hlc: raw.hlc ?? encodeHlc({ wall: Date.parse(raw.occurredAt), counter: 0, device: input.deviceId }) }),
  );
  const skew = input.sentAt ? receivedAt - Date.parse(input.sentAt) : null;
  return new Promise((resolve, reject) => submit(db, { input, checked, skew, hooks, resolve, reject }));
}

/**
 * Group transactions running at once per server process: one writing its results and
 * ledger rows (no stock locks yet), one moving stock, one committing — so each stage stays
 * busy. Each takes the pushes that arrived meanwhile. (Measured on 2 cores with 20 tills:
 * 2, 3 and 4 within noise of each other for batches of 10; 1 a third slower for batches
 * of 100.)
 */
export const groupsAtOnce = 3;

/** Per database (one per server process): pushes waiting, groups running, and their devices. */
interface Queue {
  waiting: Job[];
  running: number;
  /** Devices with a push in a running group: their next push waits for it (it would only find a gap). */
  busy: Set<string>;
}

const queues = new WeakMap<Db, Queue>();

function submit(db: Db, job: Job): void {
  let queue = queues.get(db);
  if (!queue) {
    queue = { waiting: [], running: 0, busy: new Set() };
    queues.set(db, queue);
  }
  queue.waiting.push(job);
  if (queue.running >= groupsAtOnce) return;
  const group = takeGroup(queue);
  if (group.length === 0) return;
  queue.running++;
  void runGroups(db, queue, group);
}

/** Runs groups while there are pushes it may take; the others' runners take the rest. */
async function runGroups(db: Db, queue: Queue, first: Job[]): Promise<void> {
  try {
    for (let group = first; group.length > 0; group = takeGroup(queue)) {
      try {
        await runGroup(db, group);
      } finally {
        for (const job of group) queue.busy.delete(job.input.deviceId);
      }
    }
  } finally {
    queue.running--;
  }
}

/**
 * The oldest push, and as many others as fit (maxGroupOps), one per device and none of a
 * device whose push is in a running group; of a device's pushes waiting, the one with the
 * lowest seqs first (a till keeps two in flight, and the second may arrive first).
 */
function takeGroup(queue: Queue): Job[] {
  const group: Job[] = [];
  let ops = 0;
  const firstSeq = (job: Job) => job.checked[0]?.op.seq ?? 0;
  for (let i = 0; i < queue.waiting.length; ) {
    const seen = queue.waiting[i] as Job;
    const device = seen.input.deviceId;
    if (queue.busy.has(device)) {
      i++;
      continue;
    }
    const job = queue.waiting.filter((j) => j.input.deviceId === device).reduce((a, b) => (firstSeq(b) < firstSeq(a) ? b : a));
    if (group.length > 0 && ops + job.checked.length > maxGroupOps) {
      i++;
      continue;
    }
    queue.waiting.splice(queue.waiting.indexOf(job), 1);
    if (job !== seen) i = 0; // the list moved under the cursor: look again from the start
    group.push(job);
    queue.busy.add(device);
    ops += job.checked.length;
  }
  return group;
}

async function runGroup(db: Db, jobs: Job[]): Promise<void> {
  const settle = (job: Job, result: PushOutcome | HttpError): void => {
    if (result instanceof HttpError) job.reject(result);
    else job.resolve(result);
  };
  try {
    const results = await db.transaction((tx) => pushGroup(tx, jobs, 'batch'));
    for (const [i, job] of jobs.entries()) settle(job, results[i] as PushOutcome | HttpError);
    return;
  } catch (error) {
    if (!(error instanceof OneByOne)) {
      for (const job of jobs) job.reject(error);
      return;
    }
  }
  // Some op PostgreSQL refused for good: each push on its own, op by op where that op is.
  for (const job of jobs) {
    try {
      let result: PushOutcome | HttpError | undefined;
      if (jobs.length > 1) {
        try {
          result = (await db.transaction((tx) => pushGroup(tx, [job], 'batch')))[0];
        } catch (error) {
          if (!(error instanceof OneByOne)) throw error;
        }
      }
      result ??= (await db.transaction((tx) => pushGroup(tx, [job], 'one_by_one')))[0];
      settle(job, result as PushOutcome | HttpError);
    } catch (error) {
      job.reject(error);
    }
  }
}

interface DeviceRow {
  id: string;
  store_id: string;
  last_seq: number;
  revoked_at: Date | null;
  epoch: string;
  /** Ops of these pushes already applied under some device (a re-enrolled till's history). */
  seen: string[] | null;
}

/** What each job gets back: its outcome, or the refusal of its push alone. */
async function pushGroup(
  tx: Queryable,
  jobs: readonly Job[],
  mode: 'batch' | 'one_by_one',
): Promise<(PushOutcome | HttpError)[]> {
  // Device rows locked in one order, so groups on other server processes cannot deadlock with this one.
  const rows = (
    await tx.query<DeviceRow>(
      `SELECT d.id, d.store_id, d.last_seq, d.revoked_at, s.epoch,
              (SELECT array_agg(DISTINCT a.op_id::text) FROM applied_op a WHERE a.op_id = ANY($2::uuid[]) AND a.status = 'applied') AS seen
       FROM device d, server_state s WHERE d.id = ANY($1::text[]) ORDER BY d.id COLLATE "C" FOR UPDATE OF d`,
      [jobs.map((j) => j.input.deviceId), jobs.flatMap((j) => j.checked.map((c) => c.op.opId))],
      true,
    )
  ).rows;
  const devices = new Map(rows.map((r) => [r.id, r]));
  const results: (PushOutcome | HttpError)[] = jobs.map((job) => {
    const device = devices.get(job.input.deviceId);
    if (!device || device.revoked_at) return new HttpError(401, 'device_revoked', 'This till is no longer enrolled');
    if (device.epoch !== job.input.epoch) {
      return new HttpError(409, 'epoch_changed', 'The server was restored from a backup: push again what it lacks', {
        epoch: device.epoch,
        lastSeq: device.last_seq,
      });
    }
    return {
      reply: { epoch: device.epoch, lastSeq: device.last_seq, results: [] },
      applied: 0,
      rejected: 0,
      duplicates: 0,
      repeated: 0,
    };
  });

  // The ops already settled: their stored results, after checking they are the same ops.
  const repeats = jobs.flatMap((job, i) => {
    const device = devices.get(job.input.deviceId);
    return results[i] instanceof HttpError || !device
      ? []
      : job.checked.filter((c) => c.op.seq <= device.last_seq).map((c) => ({ i, op: c.op }));
  });
  if (repeats.length > 0) {
    const stored = new Map(
      (
        await tx.query<StoredResult>(
          `SELECT a.device_id, a.seq, a.op_id, a.status, a.error_reason, a.error_message
           FROM applied_op a JOIN unnest($1::text[], $2::bigint[]) AS k (d, seq) ON a.device_id = k.d AND a.seq = k.seq`,
          [repeats.map((r) => jobs[r.i]?.input.deviceId), repeats.map((r) => r.op.seq)],
        )
      ).rows.map((r) => [`${r.device_id}/${r.seq}`, r]),
    );
    for (const { i, op } of repeats) {
      const result = results[i];
      if (!result || result instanceof HttpError) continue;
      const row = stored.get(`${jobs[i]?.input.deviceId}/${op.seq}`);
      if (row?.op_id !== op.opId) {
        // Another op under a seq already used: this till's store was replaced (say, restored
        // from its own backup). Acknowledging it would lose it; the till must enrol again.
        results[i] = new HttpError(409, 'seq_reused', `Seq ${op.seq} was already used by another op from this till`, {
          epoch: result.reply.epoch,
          lastSeq: result.reply.lastSeq,
        });
        continue;
      }
      result.reply.results.push(storedResult(row));
      result.repeated++;
    }
  }

  // Ops applied before under another device id change nothing again (duplicate), and an op
  // named twice is applied once.
  const seen = new Set(rows[0]?.seen ?? []);
  const outcomes: Outcome[] = [];
  const toApply: { outcome: Outcome; placed: Placed }[] = [];
  const seenDevices: DeviceSeen[] = [];
  const mine = new Map<Outcome, number>();
  jobs.forEach((job, i) => {
    const result = results[i];
    const device = devices.get(job.input.deviceId);
    if (!result || result instanceof HttpError || !device) return;
    let last = device.last_seq;
    let fresh = job.checked.filter((c) => c.op.seq > last);
    if (fresh.length > 0 && fresh[0]?.op.seq !== last + 1) {
      result.reply.gap = { expectedSeq: last + 1 };
      fresh = [];
    }
    for (const c of fresh) {
      const o: Outcome = { deviceId: device.id, op: c.op, status: 'applied', error: c.rejected, duplicate: false };
      if (c.rejected) o.status = 'rejected';
      else if (seen.has(c.op.opId)) o.duplicate = true;
      else if (c.plan) toApply.push({ outcome: o, placed: { plan: c.plan, storeId: device.store_id, deviceId: device.id } });
      if (!c.rejected) seen.add(c.op.opId);
      outcomes.push(o);
      mine.set(o, i);
      last = c.op.seq;
    }
    result.reply.lastSeq = last;
    seenDevices.push({ id: device.id, last, skew: job.skew });
  });

  const changes = changeSet();
  if (mode === 'batch') {
    // Every outcome is known before anything is written: the results go in the first statement.
    try {
      await writePlans(
        tx,
        toApply.map((a) => a.placed),
        changes,
        {
          first: [outcomesPart(outcomes), devicesPart(seenDevices)],
          last: (after) => [stampPart(changes, after)],
        },
      );
    } catch (error) {
      if (error instanceof OpRejected || permanentDbError(error)) throw new OneByOne();
      throw error;
    }
  } else {
    await writeOneByOne(tx, changes, outcomes, toApply);
    await runParts(tx, [devicesPart(seenDevices), stampPart(changes)]);
  }
  for (const [i, job] of jobs.entries())
    if (!(results[i] instanceof HttpError)) await job.hooks.beforeCommit?.(job.input.deviceId);

  for (const o of outcomes) {
    const result = results[mine.get(o) ?? -1];
    if (!result || result instanceof HttpError) continue;
    const reply: OpResult = { seq: o.op.seq, opId: o.op.opId, status: o.status };
    if (o.error) reply.error = { reason: o.error.reason, message: o.error.message };
    result.reply.results.push(reply);
    if (o.status === 'rejected') result.rejected++;
    else if (o.duplicate) result.duplicates++;
    else result.applied++;
  }
  return results;
}

/**
 * The slow path, for a push holding an op PostgreSQL refused: each op in its own
 * savepoint, so a permanent failure rejects that op alone. Its stock rows are still
 * locked all at once first, in sorted order, so this path cannot deadlock either.
 */
async function writeOneByOne(
  tx: Queryable,
  changes: ChangeSet,
  outcomes: readonly Outcome[],
  toApply: readonly { outcome: Outcome; placed: Placed }[],
): Promise<void> {
  const undoable = async (name: string, fn: () => Promise<void>): Promise<OpRejected | null> => {
    await tx.query(`SAVEPOINT ${name}`);
    try {
      await fn();
      await tx.query(`RELEASE SAVEPOINT ${name}`);
      return null;
    } catch (error) {
      const rejected = error instanceof OpRejected ? error : permanentDbError(error);
      if (!rejected) throw error;
      await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
      return rejected;
    }
  };
  // A key PostgreSQL refuses fails this; each op then locks its own keys as it goes.
  await undoable('stock_keys', () => lockStock(tx, stockKeys(toApply.map((a) => a.placed))));
  const plans = new Map(toApply.map((a) => [a.outcome, a.placed]));
  for (const o of outcomes) {
    // Changes are only kept if the op's writes are kept.
    const opChanges = changeSet();
    const placed = plans.get(o);
    const failed = await undoable('op', () => writePlans(tx, placed ? [placed] : [], opChanges, { first: [outcomesPart([o])] }));
    if (!failed) {
      for (const [entity, storeKey, entityId] of opChanges.entries()) changes.add(entity, storeKey, entityId);
      continue;
    }
    o.status = 'rejected';
    o.error = failed;
    o.duplicate = false;
    // A payload PostgreSQL cannot store (say, a NUL character) is recorded without it.
    const record = async (keepPayload: boolean) => {
      await runParts(tx, [outcomesPart([o], keepPayload)]);
    };
    if (await undoable('op', () => record(true))) await record(false);
  }
}
