import { uuidv7 } from '../shared/ids.ts';
import { insertRows, prepared } from './sql.ts';
import type { Till } from './till.ts';

export interface OutboxOp {
  seq: number;
  opId: string;
  type: string;
  payload: unknown;
  occurredAt: string;
  hlc: string;
}

/**
 * Appends a business event for the sync server (DESIGN.md §6). Call inside the event's own
 * transaction: the op exists exactly when the event does. seq rises by one per device.
 */
export function appendOp(till: Till, type: string, payload: unknown, hlc: string = till.nextHlc()): OutboxOp {
  const occurredAt = till.now().toISOString();
  const opId = uuidv7(till.now().getTime());
  const result = prepared(till.db, 'INSERT INTO outbox (op_id, type, payload, occurred_at, hlc) VALUES (?, ?, ?, ?, ?)').run(
    opId,
    type,
    JSON.stringify(payload),
    occurredAt,
    hlc,
  );
  return { seq: Number(result.lastInsertRowid), opId, type, payload, occurredAt, hlc };
}

/**
 * appendOp for many events of one transaction (an import's products), in order: one
 * INSERT per few dozen ops instead of one each. Their seq numbers follow one another.
 */
export function appendOps(till: Till, ops: readonly { type: string; payload: unknown }[]): void {
  const occurredAt = till.now().toISOString();
  const at = till.now().getTime();
  insertRows(
    till.db,
    'outbox',
    ['op_id', 'type', 'payload', 'occurred_at', 'hlc'],
    ops.map((op) => [uuidv7(at), op.type, JSON.stringify(op.payload), occurredAt, till.nextHlc()]),
  );
}

export function waitingOps(till: Till, limit = 500): OutboxOp[] {
  const rows = till.db
    .prepare("SELECT seq, op_id, type, payload, occurred_at, hlc FROM outbox WHERE status = 'waiting' ORDER BY seq LIMIT ?")
    .all(limit) as { seq: number; op_id: string; type: string; payload: string; occurred_at: string; hlc: string }[];
  return rows.map((r) => ({
    seq: r.seq,
    opId: r.op_id,
    type: r.type,
    payload: JSON.parse(r.payload),
    occurredAt: r.occurred_at,
    hlc: r.hlc,
  }));
}
