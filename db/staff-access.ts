import type { Access } from '../shared/contract.ts';
import { TillError } from '../shared/errors.ts';
import { type Override, type Permission, type Role, roleAllows, roleAtLeast, type StaffMember } from '../shared/staff.ts';
import { pinMatches } from './pin.ts';
import { prepared } from './sql.ts';
import type { Till } from './till.ts';

/** After this many wrong PINs in a row a staff member is locked out for lockoutMinutes. */
export const maxPinAttempts = 5;
export const lockoutMinutes = 5;

export interface StaffRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  active: number;
  created_at: string;
}

export function toMember(row: StaffRow): StaffMember {
  return { id: row.id, name: row.name, role: row.role, active: row.active === 1 };
}

export function staffRow(till: Till, id: string): StaffRow | undefined {
  return prepared(till.db, 'SELECT * FROM staff WHERE id = ?').get(id) as StaffRow | undefined;
}

/**
 * Checks a PIN, counting failures and locking out after maxPinAttempts. The failure count
 * is committed even though the call fails, so guessing cannot be retried for free; call
 * it outside any transaction that may roll back.
 */
export function verifyPin(till: Till, staffId: string, pin: string): StaffMember {
  const row = staffRow(till, staffId);
  if (row?.active !== 1) throw new TillError('unauthorized', 'unknown_staff', 'No such staff member');
  const now = till.now();
  if (row.locked_until && row.locked_until > now.toISOString()) {
    throw new TillError('unauthorized', 'locked_out', `${row.name} is locked out until ${row.locked_until}`, {
      name: row.name,
      until: row.locked_until,
    });
  }
  if (!pinMatches(pin, row.pin_hash)) {
    const attempts = row.failed_attempts + 1;
    const lockedUntil = attempts >= maxPinAttempts ? new Date(now.getTime() + lockoutMinutes * 60_000).toISOString() : null;
    till.db
      .prepare('UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?')
      .run(lockedUntil ? 0 : attempts, lockedUntil, row.id);
    if (lockedUntil) {
      throw new TillError('unauthorized', 'locked_out', `Too many wrong PINs: ${row.name} is locked out until ${lockedUntil}`, {
        name: row.name,
        until: lockedUntil,
      });
    }
    throw new TillError('unauthorized', 'wrong_pin', 'Wrong PIN', { left: maxPinAttempts - attempts });
  }
  if (row.failed_attempts > 0 || row.locked_until) {
    till.db.prepare('UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = ?').run(row.id);
  }
  return toMember(row);
}

/**
 * The idle lock: a till left alone longer than settings().idleLockSeconds (0 = never)
 * signs its staff member out. Returns true when it just did.
 */
export function applyIdleLock(till: Till): boolean {
  if (!till.session.staffId) return false;
  const seconds = till.settings().idleLockSeconds;
  if (seconds === 0 || till.now().getTime() - till.session.lastActivityAt <= seconds * 1000) return false;
  till.session.staffId = null;
  return true;
}

/** Who is signed in now (after the idle lock), or null. */
export function currentStaff(till: Till): StaffMember | null {
  applyIdleLock(till);
  const id = till.session.staffId;
  if (!id) return null;
  const row = staffRow(till, id);
  if (row?.active !== 1) {
    till.session.staffId = null; // deactivated while signed in
    return null;
  }
  return toMember(row);
}

/**
 * The signed-in staff member, or an `unauthorized` error (nobody signed in, or the till
 * locked itself after idling). A privileged action is activity, so it resets the idle clock.
 */
export function requireStaff(till: Till): StaffMember {
  if (applyIdleLock(till)) {
    const seconds = till.settings().idleLockSeconds;
    throw new TillError('unauthorized', 'idle_locked', `The till locked after ${seconds} seconds without use; sign in again`, {
      seconds,
    });
  }
  const staff = currentStaff(till);
  if (!staff) throw new TillError('unauthorized', 'not_signed_in', 'Sign in first');
  till.session.lastActivityAt = till.now().getTime();
  return staff;
}

/** The signed-in staff member if their role is at least `minimum` (no override: reports and logs). */
export function requireRole(till: Till, minimum: Role): StaffMember {
  const staff = requireStaff(till);
  if (!roleAtLeast(staff.role, minimum)) {
    throw new TillError('forbidden', 'needs_role', `Only a ${minimum} or above may do this`, { role: minimum });
  }
  return staff;
}

export interface Authorization {
  staffId: string;
  /** The manager whose PIN allowed this action for someone else, if any. */
  approvedBy: string | null;
  staff: StaffMember;
  approver: StaffMember | null;
}

/** Checks a manager's override for one permission: their PIN (with lockout) and their role. */
export function verifyOverride(till: Till, permission: Permission, override: Override): StaffMember {
  const manager = verifyPin(till, override.staffId, override.pin);
  if (!roleAllows(manager.role, permission)) {
    throw new TillError('forbidden', 'override_not_allowed', `${manager.name} may not allow ${permission}`, {
      permission,
      name: manager.name,
    });
  }
  return manager;
}

/**
 * May the signed-in staff member do this? If their role does not allow it, a manager's
 * override (their id and PIN) may, once; the caller writes the audit entry with both names.
 */
export function authorize(till: Till, permission: Permission, override?: Override): Authorization {
  const staff = requireStaff(till);
  if (roleAllows(staff.role, permission)) return { staffId: staff.id, approvedBy: null, staff, approver: null };
  if (!override) {
    throw new TillError('forbidden', 'needs_manager', `${permission} needs a manager`, { permission });
  }
  const approver = verifyOverride(till, permission, override);
  return { staffId: staff.id, approvedBy: approver.id, staff, approver };
}

/** The contract's coarse gate (shared/contract.ts Access); fine-grained permissions use authorize(). */
export function checkAccess(till: Till, access: Access): void {
  if (access === 'anyone') return;
  if (access === 'staff') requireStaff(till);
  else requireRole(till, access);
}
