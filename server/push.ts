/**
 * POST /v1/sync/push, exactly as DESIGN.md §6: one transaction per batch with the device
 * row locked (SELECT … FOR UPDATE), so two copies of one batch — a retry racing its
 * original — run one after the other and the second only reads stored results.
 * - seq ≤ last applied → the stored result, nothing applied again;
 * - seq = last + 1 → apply, record, advance;
 * - seq > last + 1 → stop and name the seq needed (a gap);
 * - a permanent problem with one op → recorded as rejected, and the queue advances;
 * - a temporary failure (database gone, deadlock) → the whole batch rolls back and the
 *   route answers 503; nothing of it is recorded, so the retry starts clean.
 */
import { encodeHlc } from '../shared/hlc.ts';
import type { OpEnvelope, OpResult, PushReply } from '../shared/sync.ts';
import { changeSet, stampChanges } from './changes.ts';
import type { Db, Queryable } from './db.ts';
import { HttpError, OpRejected } from './errors.ts';
import { applyOp } from './ops.ts';

export interface PushInput {
  deviceId: string;
  epoch: string;
  sentAt?: string | undefined;
  /** Version-1 ops may lack hlc; push() derives one. */
  ops: (Omit<OpEnvelope, 'hlc'> & { hlc?: string | undefined })[];
}

export interface PushHooks {
  /** Test seam: runs inside the transaction after the ops, before COMMIT. */
  beforeCommit?: (deviceId: string) => Promise<void> | void;
}

export interface PushOutcome {
  reply: PushReply;
  applied: number;
  rejected: number;
  duplicates: number;
  repeated: number;
}

interface StoredResult {
  op_id: string;
  status: 'applied' | 'rejected';
  error_reason: string | null;
  error_message: string | null;
}

function storedResult(seq: number, row: StoredResult): OpResult {
  const result: OpResult = { seq, opId: row.op_id, status: row.status };
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

async function applyOne(
  tx: Queryable,
  device: { id: string; store_id: string },
  op: OpEnvelope,
  changes: ReturnType<typeof changeSet>,
): Promise<{ status: 'applied' | 'rejected'; error?: OpRejected; duplicate: boolean }> {
  // The same op under another device id (a re-enrolled till pushing its history again).
  const seen = await tx.query("SELECT 1 FROM applied_op WHERE op_id = $1 AND status = 'applied' LIMIT 1", [op.opId]);
  if (seen.rowCount > 0) return { status: 'applied', duplicate: true };
  await tx.query('SAVEPOINT op');
  // Changes are only kept if the op's writes are kept.
  const opChanges = changeSet();
  try {
    await applyOp({ tx, storeId: device.store_id, deviceId: device.id, changes: opChanges }, op);
    await tx.query('RELEASE SAVEPOINT op');
    for (const [entity, storeKey, entityId] of opChanges.entries()) changes.add(entity, storeKey, entityId);
    return { status: 'applied', duplicate: false };
  } catch (error) {
    const rejected = error instanceof OpRejected ? error : permanentDbError(error);
    if (!rejected) throw error;
    await tx.query('ROLLBACK TO SAVEPOINT op');
    return { status: 'rejected', error: rejected, duplicate: false };
  }
}

export async function push(db: Db, input: PushInput, hooks: PushHooks = {}): Promise<PushOutcome> {
  for (let i = 1; i < input.ops.length; i++) {
    if (input.ops[i]?.seq !== (input.ops[i - 1]?.seq ?? 0) + 1) {
      throw new HttpError(400, 'batch_not_consecutive', 'A batch holds consecutive seqs in order');
    }
  }
  const receivedAt = Date.now();
  return db.transaction(async (tx) => {
    const device = (
      await tx.query<{ id: string; store_id: string; last_seq: number; revoked_at: Date | null }>(
        'SELECT id, store_id, last_seq, revoked_at FROM device WHERE id = $1 FOR UPDATE',
        [input.deviceId],
      )
    ).rows[0];
    if (!device || device.revoked_at) throw new HttpError(401, 'device_revoked', 'This till is no longer enrolled');
    const epoch = (await tx.query<{ epoch: string }>('SELECT epoch FROM server_state')).rows[0]?.epoch ?? '';
    if (epoch !== input.epoch) {
      throw new HttpError(409, 'epoch_changed', 'The server was restored from a backup: push again what it lacks', {
        epoch,
        lastSeq: device.last_seq,
      });
    }
    const outcome: PushOutcome = {
      reply: { epoch, lastSeq: device.last_seq, results: [] },
      applied: 0,
      rejected: 0,
      duplicates: 0,
      repeated: 0,
    };
    const changes = changeSet();
    let last = device.last_seq;
    for (const raw of input.ops) {
      const op: OpEnvelope = {
        ...raw,
        hlc: raw.hlc ?? encodeHlc({ wall: Date.parse(raw.occurredAt), counter: 0, device: device.id }),
      };
      if (op.seq <= last) {
        const stored = (
          await tx.query<StoredResult>(
            'SELECT op_id, status, error_reason, error_message FROM applied_op WHERE device_id = $1 AND seq = $2',
            [device.id, op.seq],
          )
        ).rows[0];
        if (stored?.op_id !== op.opId) {
          // Another op under a seq already used: this till's store was replaced (say, restored
          // from its own backup). Acknowledging it would lose it; the till must enrol again.
          throw new HttpError(409, 'seq_reused', `Seq ${op.seq} was already used by another op from this till`, {
            epoch,
            lastSeq: last,
          });
        }
        outcome.reply.results.push(storedResult(op.seq, stored));
        outcome.repeated++;
        continue;
      }
      if (op.seq > last + 1) {
        outcome.reply.gap = { expectedSeq: last + 1 };
        break;
      }
      const result = await applyOne(tx, device, op, changes);
      await tx.query(
        `INSERT INTO applied_op (device_id, seq, op_id, type, status, error_reason, error_message, payload, occurred_at, hlc, duplicate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
        [
          device.id,
          op.seq,
          op.opId,
          op.type,
          result.status,
          result.error?.reason ?? null,
          result.error?.message ?? null,
          JSON.stringify(op.payload ?? null),
          op.occurredAt,
          op.hlc,
          result.duplicate,
        ],
      );
      const reply: OpResult = { seq: op.seq, opId: op.opId, status: result.status };
      if (result.error) reply.error = { reason: result.error.reason, message: result.error.message };
      outcome.reply.results.push(reply);
      if (result.status === 'rejected') outcome.rejected++;
      else if (result.duplicate) outcome.duplicates++;
      else outcome.applied++;
      last = op.seq;
    }
    const skew = input.sentAt ? receivedAt - Date.parse(input.sentAt) : null;
    await tx.query(
      'UPDATE device SET last_seq = $2, last_seen_at = now(), clock_skew_ms = coalesce($3, clock_skew_ms) WHERE id = $1',
      [device.id, last, skew],
    );
    await stampChanges(tx, changes);
    await hooks.beforeCommit?.(device.id);
    outcome.reply.lastSeq = last;
    return outcome;
  });
}
