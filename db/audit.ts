import { prepared } from './sql.ts';
import type { Till } from './till.ts';

export interface AuditEntry {
  staffId: string | null;
  approvedBy?: string | null;
  action: string;
  subject?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Records a privileged action (who, when, what, before/after). Call inside the action's transaction. */
export function writeAudit(till: Till, entry: AuditEntry): void {
  prepared(
    till.db,
    'INSERT INTO audit (at, staff_id, approved_by, action, subject, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    till.now().toISOString(),
    entry.staffId,
    entry.approvedBy ?? null,
    entry.action,
    entry.subject ?? null,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
  );
}
