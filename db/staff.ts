import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import {
  type AuditRecord,
  pinSchema,
  type Role,
  roles,
  type StaffMember,
  type StaffRef,
  staffNameSchema,
  type staffOperations,
} from '../shared/staff.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { hashPin } from './pin.ts';
import {
  authorize,
  currentStaff,
  requireRole,
  requireStaff,
  type StaffRow,
  staffRow,
  toMember,
  verifyOverride,
  verifyPin,
} from './staff-access.ts';
import type { Till } from './till.ts';

/** What the audit log and the server see of a staff member: never the PIN or its hash. */
function publicView(member: StaffMember): { name: string; role: Role; active: boolean } {
  return { name: member.name, role: member.role, active: member.active };
}

function insertStaff(
  till: Till,
  member: StaffMember,
  pinHash: string,
  by: { staffId: string | null; approvedBy: string | null },
) {
  till.db
    .prepare('INSERT INTO staff (id, name, role, pin_hash, active, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(member.id, member.name, member.role, pinHash, member.active ? 1 : 0, till.now().toISOString());
  writeAudit(till, { ...by, action: 'staff.created', subject: member.id, after: publicView(member) });
  appendOp(till, 'staff.saved', { id: member.id, ...publicView(member) });
}

/**
 * First-run setup (and tests): adds a staff member with no permission check, since on an
 * empty store there is nobody to ask. Everything else goes through 'staff.save'.
 */
export function createStaff(till: Till, input: { name: string; role: Role; pin: string }): StaffMember {
  const name = staffNameSchema.safeParse(input.name);
  const pin = pinSchema.safeParse(input.pin);
  if (!name.success || !pin.success || !roles.includes(input.role)) {
    throw new TillError('invalid_input', 'invalid_input', 'A staff member needs a name, a role and a PIN of 4 to 8 digits');
  }
  const member: StaffMember = { id: uuidv7(till.now().getTime()), name: name.data, role: input.role, active: true };
  const pinHash = hashPin(pin.data);
  till.db.transaction(() => insertStaff(till, member, pinHash, { staffId: null, approvedBy: null }))();
  return member;
}

function activeOwnersOtherThan(till: Till, id: string): number {
  const row = till.db.prepare("SELECT count(*) AS n FROM staff WHERE role = 'owner' AND active = 1 AND id <> ?").get(id) as {
    n: number;
  };
  return row.n;
}

interface AuditRow {
  id: number;
  at: string;
  staff_id: string | null;
  staff_name: string | null;
  approved_by: string | null;
  approver_name: string | null;
  action: string;
  subject: string | null;
  before: string | null;
  after: string | null;
}

function ref(id: string | null, name: string | null): StaffRef | null {
  return id ? { id, name: name ?? '' } : null;
}

export function staffHandlers(till: Till): HandlersFor<typeof staffOperations> {
  return {
    'staff.list': ({ includeInactive }) => {
      if (includeInactive) authorize(till, 'manage_staff');
      const rows = till.db
        .prepare(`SELECT * FROM staff ${includeInactive ? '' : 'WHERE active = 1'} ORDER BY name COLLATE NOCASE, id`)
        .all() as StaffRow[];
      return rows.map(toMember);
    },

    'staff.signIn': ({ staffId, pin }) => {
      const member = verifyPin(till, staffId, pin);
      till.session.staffId = member.id;
      till.session.lastActivityAt = till.now().getTime();
      return member;
    },

    'staff.signOut': () => {
      till.session.staffId = null;
      return null;
    },

    'staff.current': () => currentStaff(till),

    'staff.lock': () => {
      till.session.staffId = null;
      return null;
    },

    'staff.touch': () => {
      const member = currentStaff(till);
      if (member) till.session.lastActivityAt = till.now().getTime();
      return member;
    },

    'staff.save': (input) => {
      const auth = authorize(till, 'manage_staff', input.override);
      // With an override, the manager who typed their PIN is the one acting.
      const actorRole = (auth.approver ?? auth.staff).role;
      const existing = input.id ? staffRow(till, input.id) : undefined;
      if (input.id && !existing) throw new TillError('not_found', 'unknown_staff', 'No such staff member');
      if (actorRole !== 'owner' && (input.role === 'owner' || existing?.role === 'owner')) {
        throw new TillError('forbidden', 'owner_only', 'Only an owner may add, change or promote owners');
      }
      const pinHash = input.pin ? hashPin(input.pin) : null; // slow on purpose: kept out of the transaction
      const by = { staffId: auth.staffId, approvedBy: auth.approvedBy };

      if (!existing) {
        const member: StaffMember = {
          id: uuidv7(till.now().getTime()),
          name: input.name,
          role: input.role,
          active: input.active ?? true,
        };
        if (!pinHash) throw new TillError('invalid_input', 'pin_required', 'A new staff member needs a PIN');
        till.db.transaction(() => insertStaff(till, member, pinHash, by))();
        return member;
      }

      const before = toMember(existing);
      const after: StaffMember = { ...before, name: input.name, role: input.role, active: input.active ?? before.active };
      return till.db.transaction(() => {
        const stillOwner = after.role === 'owner' && after.active;
        if (before.role === 'owner' && before.active && !stillOwner && activeOwnersOtherThan(till, before.id) === 0) {
          throw new TillError('rejected', 'last_owner', 'The shop needs at least one active owner', { name: before.name });
        }
        till.db
          .prepare('UPDATE staff SET name = ?, role = ?, active = ? WHERE id = ?')
          .run(after.name, after.role, after.active ? 1 : 0, after.id);
        if (pinHash) {
          // A new PIN also lifts a lockout: the manager has just vouched for the person.
          till.db
            .prepare('UPDATE staff SET pin_hash = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?')
            .run(pinHash, after.id);
        }
        writeAudit(till, {
          ...by,
          action: 'staff.updated',
          subject: after.id,
          before: publicView(before),
          after: { ...publicView(after), pinChanged: pinHash !== null },
        });
        appendOp(till, 'staff.saved', { id: after.id, ...publicView(after) });
        return after;
      })();
    },

    'staff.checkOverride': ({ permission, override }) => {
      requireStaff(till);
      const manager = verifyOverride(till, permission, override);
      return { approvedBy: { id: manager.id, name: manager.name } };
    },

    'audit.list': (filter) => {
      requireRole(till, 'manager');
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.action?.endsWith('.')) {
        where.push('substr(a.action, 1, ?) = ?');
        params.push(filter.action.length, filter.action);
      } else if (filter.action) {
        where.push('a.action = ?');
        params.push(filter.action);
      }
      if (filter.subject) {
        where.push('a.subject = ?');
        params.push(filter.subject);
      }
      if (filter.staffId) {
        where.push('(a.staff_id = ? OR a.approved_by = ?)');
        params.push(filter.staffId, filter.staffId);
      }
      // Stored times are UTC ISO strings, so the bounds are normalised to the same form.
      if (filter.from) {
        where.push('a.at >= ?');
        params.push(new Date(filter.from).toISOString());
      }
      if (filter.to) {
        where.push('a.at < ?');
        params.push(new Date(filter.to).toISOString());
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (till.db.prepare(`SELECT count(*) AS n FROM audit a ${clause}`).get(...params) as { n: number }).n;
      const rows = till.db
        .prepare(
          `SELECT a.*, s.name AS staff_name, m.name AS approver_name FROM audit a
           LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN staff m ON m.id = a.approved_by
           ${clause} ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...params, filter.limit, filter.offset) as AuditRow[];
      const entries: AuditRecord[] = rows.map((r) => ({
        id: r.id,
        at: r.at,
        staff: ref(r.staff_id, r.staff_name),
        approvedBy: ref(r.approved_by, r.approver_name),
        action: r.action,
        subject: r.subject,
        before: r.before === null ? null : JSON.parse(r.before),
        after: r.after === null ? null : JSON.parse(r.after),
      }));
      return { entries, total };
    },
  };
}
