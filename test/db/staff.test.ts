import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { writeSettings } from '../../db/settings.ts';
import { createStaff } from '../../db/staff.ts';
import { lockoutMinutes } from '../../db/staff-access.ts';
import { openStore, type Store } from '../../db/store.ts';
import { openTill, type Till } from '../../db/till.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';
import type { ApiError } from '../../shared/errors.ts';
import type { StaffMember } from '../../shared/staff.ts';

let dir: string;
let store: Store;
let till: Till;
let api: Api;
let clock: Date;
let owner: StaffMember;
let manager: StaffMember;
let cashier: StaffMember;

const pins = { owner: '9021', manager: '4821', cashier: '1357' };

async function ok<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
  const result = await api.call(name, input);
  if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
  return result.value as OutputOf<N>;
}

async function fails(name: string, input: unknown): Promise<ApiError> {
  const result = await api.call(name, input);
  if (result.ok) throw new Error(`${name} succeeded but should have failed: ${JSON.stringify(result.value)}`);
  return result.error;
}

function counts() {
  const n = (table: string) => (till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const hashes = till.db.prepare('SELECT group_concat(pin_hash) AS h FROM staff').get() as { h: string };
  return { staff: n('staff'), audit: n('audit'), outbox: n('outbox'), hashes: hashes.h };
}

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

async function signIn(member: StaffMember, pin: string) {
  return ok('staff.signIn', { staffId: member.id, pin });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  store = openStore({ dataDir: dir });
  clock = new Date('2025-03-03T09:00:00.000Z');
  till = openTill(store, { now: () => clock });
  api = createTillApi(till, { transport: 'http', version: 'test' });
  owner = createStaff(till, { name: 'Olga Owner', role: 'owner', pin: pins.owner });
  manager = createStaff(till, { name: 'Mia Manager', role: 'manager', pin: pins.manager });
  cashier = createStaff(till, { name: 'Carl Cashier', role: 'cashier', pin: pins.cashier });
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sign-in screen', () => {
  it('lists active staff by name without any PIN hash', async () => {
    const list = await ok('staff.list', {});
    expect(list.map((s) => s.name)).toEqual(['Carl Cashier', 'Mia Manager', 'Olga Owner']);
    for (const s of list) expect(Object.keys(s).sort()).toEqual(['active', 'id', 'name', 'role']);
    expect(JSON.stringify(list)).not.toContain('scrypt');
  });

  it('hides inactive staff unless a manager asks for them', async () => {
    await signIn(owner, pins.owner);
    await ok('staff.save', { id: cashier.id, name: cashier.name, role: 'cashier', active: false });
    expect((await ok('staff.list', {})).map((s) => s.id)).not.toContain(cashier.id);
    const all = await ok('staff.list', { includeInactive: true });
    expect(all.find((s) => s.id === cashier.id)?.active).toBe(false);
    await ok('staff.signOut', {});
    expect((await fails('staff.list', { includeInactive: true })).reason).toBe('not_signed_in');
  });

  it('signs in with the right PIN and sets the session', async () => {
    expect(await ok('staff.current', {})).toBeNull();
    const member = await signIn(cashier, pins.cashier);
    expect(member).toEqual({ id: cashier.id, name: 'Carl Cashier', role: 'cashier', active: true });
    expect(till.session.staffId).toBe(cashier.id);
    expect(till.session.lastActivityAt).toBe(clock.getTime());
    expect(await ok('staff.current', {})).toEqual(member);
    await ok('staff.signOut', {});
    expect(await ok('staff.current', {})).toBeNull();
  });

  it('refuses bad input, unknown staff and wrong PINs with typed errors', async () => {
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: '12a4' })).code).toBe('invalid_input');
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: 1357 })).code).toBe('invalid_input');
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: '1357', extra: 1 })).code).toBe('invalid_input');
    const unknown = await fails('staff.signIn', { staffId: 'nobody', pin: '1357' });
    expect([unknown.code, unknown.reason]).toEqual(['unauthorized', 'unknown_staff']);
    const wrong = await fails('staff.signIn', { staffId: cashier.id, pin: '0000' });
    expect(wrong).toMatchObject({ code: 'unauthorized', reason: 'wrong_pin', params: { left: 4 } });
    expect(till.session.staffId).toBeNull();
  });
});

describe('PIN lockout', () => {
  it('locks after 5 wrong PINs, refuses the right one while locked, and unlocks when the time passes', async () => {
    for (let left = 4; left >= 1; left--) {
      expect((await fails('staff.signIn', { staffId: cashier.id, pin: '0000' })).params).toEqual({ left });
    }
    const lockedUntil = new Date(clock.getTime() + lockoutMinutes * 60_000).toISOString();
    const fifth = await fails('staff.signIn', { staffId: cashier.id, pin: '0000' });
    expect(fifth).toMatchObject({
      code: 'unauthorized',
      reason: 'locked_out',
      params: { name: 'Carl Cashier', until: lockedUntil },
    });

    const refused = await fails('staff.signIn', { staffId: cashier.id, pin: pins.cashier });
    expect(refused.reason).toBe('locked_out');
    expect(till.session.staffId).toBeNull();

    advance(lockoutMinutes * 60 - 1);
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: pins.cashier })).reason).toBe('locked_out');

    advance(2);
    expect((await signIn(cashier, pins.cashier)).id).toBe(cashier.id);
    const row = till.db.prepare('SELECT failed_attempts, locked_until FROM staff WHERE id = ?').get(cashier.id);
    expect(row).toEqual({ failed_attempts: 0, locked_until: null });
  });

  it('a right PIN resets the count of wrong ones', async () => {
    for (let i = 0; i < 4; i++) await fails('staff.signIn', { staffId: cashier.id, pin: '0000' });
    await signIn(cashier, pins.cashier);
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: '0000' })).params).toEqual({ left: 4 });
  });

  it('a new PIN set by a manager lifts a lockout', async () => {
    for (let i = 0; i < 5; i++) await fails('staff.signIn', { staffId: cashier.id, pin: '0000' });
    await signIn(manager, pins.manager);
    await ok('staff.save', { id: cashier.id, name: cashier.name, role: 'cashier', pin: '2468' });
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: pins.cashier })).reason).toBe('wrong_pin');
    expect((await signIn(cashier, '2468')).id).toBe(cashier.id);
  });
});

describe('idle lock', () => {
  it('signs the till out after the idle time; touch and privileged work count as activity', async () => {
    writeSettings(store, { idleLockSeconds: 60 });
    await signIn(cashier, pins.cashier);
    advance(59);
    expect((await ok('staff.touch', {}))?.id).toBe(cashier.id);
    advance(59);
    expect((await ok('staff.current', {}))?.id).toBe(cashier.id); // 59 s since the touch
    advance(2);
    expect(await ok('staff.current', {})).toBeNull();
    expect(till.session.staffId).toBeNull();
    expect(await ok('staff.touch', {})).toBeNull(); // touching a locked till does not revive it
  });

  it('every privileged op refuses an idle session and writes nothing', async () => {
    writeSettings(store, { idleLockSeconds: 60 });
    await signIn(manager, pins.manager);
    advance(30);
    await ok('staff.checkOverride', { permission: 'void', override: { staffId: manager.id, pin: pins.manager } });
    advance(45); // 45 s after the last privileged op, 75 s after sign-in
    await ok('staff.save', { name: 'Nina New', role: 'cashier', pin: '5555' });
    advance(61);
    const before = counts();
    const error = await fails('staff.save', { name: 'Too Late', role: 'cashier', pin: '5555' });
    expect(error).toMatchObject({ code: 'unauthorized', reason: 'idle_locked', params: { seconds: 60 } });
    expect(counts()).toEqual(before);
    expect((await fails('staff.save', { name: 'Too Late', role: 'cashier', pin: '5555' })).reason).toBe('not_signed_in');
  });

  it('never locks when idleLockSeconds is 0', async () => {
    writeSettings(store, { idleLockSeconds: 0 });
    await signIn(cashier, pins.cashier);
    advance(7 * 24 * 3600);
    expect((await ok('staff.current', {}))?.id).toBe(cashier.id);
  });

  it('staff.lock clears the session at once', async () => {
    await signIn(cashier, pins.cashier);
    expect(await ok('staff.lock', {})).toBeNull();
    expect(await ok('staff.current', {})).toBeNull();
    expect((await fails('shift.open', { float: 0 })).reason).toBe('not_signed_in');
  });
});

describe('staff.save', () => {
  it('a manager adds a cashier; the audit says who, when and what, never the PIN', async () => {
    await signIn(manager, pins.manager);
    const nina = await ok('staff.save', { name: '  Nina New ', role: 'cashier', pin: '5555' });
    expect(nina).toMatchObject({ name: 'Nina New', role: 'cashier', active: true });
    const audit = till.db.prepare("SELECT * FROM audit WHERE action = 'staff.created' AND subject = ?").get(nina.id) as Record<
      string,
      unknown
    >;
    expect(audit).toMatchObject({ staff_id: manager.id, approved_by: null, at: clock.toISOString() });
    expect(JSON.parse(String(audit.after))).toEqual({ name: 'Nina New', role: 'cashier', active: true });
    expect((await signIn(nina, '5555')).id).toBe(nina.id);
  });

  it('updates name, role and PIN with before/after in the audit and no PIN or hash anywhere', async () => {
    await signIn(owner, pins.owner);
    advance(10);
    await ok('staff.save', { id: cashier.id, name: 'Carl Senior', role: 'manager', pin: '7355' });
    const entry = till.db.prepare("SELECT * FROM audit WHERE action = 'staff.updated'").get() as Record<string, string>;
    expect(entry).toMatchObject({ staff_id: owner.id, subject: cashier.id, at: clock.toISOString() });
    expect(JSON.parse(String(entry.before))).toEqual({ name: 'Carl Cashier', role: 'cashier', active: true });
    expect(JSON.parse(String(entry.after))).toEqual({ name: 'Carl Senior', role: 'manager', active: true, pinChanged: true });

    const hashes = (till.db.prepare('SELECT pin_hash FROM staff').all() as { pin_hash: string }[]).map((r) => r.pin_hash);
    const logged = JSON.stringify([till.db.prepare('SELECT * FROM audit').all(), till.db.prepare('SELECT * FROM outbox').all()]);
    for (const secret of [...Object.values(pins), '7355', 'scrypt', ...hashes]) expect(logged).not.toContain(secret);
    const op = till.db.prepare("SELECT payload FROM outbox WHERE type = 'staff.saved' ORDER BY seq DESC").get() as {
      payload: string;
    };
    expect(JSON.parse(op.payload)).toEqual({ id: cashier.id, name: 'Carl Senior', role: 'manager', active: true });

    expect((await fails('staff.signIn', { staffId: cashier.id, pin: pins.cashier })).reason).toBe('wrong_pin');
    expect((await signIn(cashier, '7355')).role).toBe('manager');
  });

  it('a cashier may not manage staff, and the refused call writes nothing', async () => {
    await signIn(cashier, pins.cashier);
    const before = counts();
    const create = await fails('staff.save', { name: 'Sneaky', role: 'manager', pin: '1111' });
    expect(create).toMatchObject({ code: 'forbidden', reason: 'needs_manager', params: { permission: 'manage_staff' } });
    const promote = await fails('staff.save', { id: cashier.id, name: cashier.name, role: 'owner' });
    expect(promote.code).toBe('forbidden');
    expect(counts()).toEqual(before);
  });

  it('manager override: allowed with a manager PIN, refused with a cashier PIN or a wrong one', async () => {
    const carla = createStaff(till, { name: 'Carla', role: 'cashier', pin: '2222' });
    await signIn(cashier, pins.cashier);
    const before = counts();
    const byCashier = await fails('staff.save', {
      name: 'X',
      role: 'cashier',
      pin: '1111',
      override: { staffId: carla.id, pin: '2222' },
    });
    expect(byCashier).toMatchObject({ code: 'forbidden', reason: 'override_not_allowed', params: { name: 'Carla' } });
    const wrong = await fails('staff.save', {
      name: 'X',
      role: 'cashier',
      pin: '1111',
      override: { staffId: manager.id, pin: '0000' },
    });
    expect(wrong).toMatchObject({ code: 'unauthorized', reason: 'wrong_pin' });
    const unknown = await fails('staff.save', {
      name: 'X',
      role: 'cashier',
      pin: '1111',
      override: { staffId: 'ghost', pin: '1111' },
    });
    expect(unknown.reason).toBe('unknown_staff');
    expect({ ...counts(), hashes: '' }).toEqual({ ...before, hashes: '' }); // only the manager's failure count moved

    const saved = await ok('staff.save', {
      name: 'Xena',
      role: 'cashier',
      pin: '1111',
      override: { staffId: manager.id, pin: pins.manager },
    });
    const audit = till.db.prepare('SELECT staff_id, approved_by FROM audit WHERE subject = ?').get(saved.id);
    expect(audit).toEqual({ staff_id: cashier.id, approved_by: manager.id });
    // An override by a manager still cannot make an owner.
    const owner2 = await fails('staff.save', {
      name: 'Boss',
      role: 'owner',
      pin: '1111',
      override: { staffId: manager.id, pin: pins.manager },
    });
    expect(owner2.reason).toBe('owner_only');
  });

  it('a manager cannot create, change or promote owners; an owner can', async () => {
    await signIn(manager, pins.manager);
    const before = counts();
    expect((await fails('staff.save', { name: 'Boss', role: 'owner', pin: '1111' })).reason).toBe('owner_only');
    expect((await fails('staff.save', { id: owner.id, name: 'Renamed', role: 'owner' })).reason).toBe('owner_only');
    expect((await fails('staff.save', { id: owner.id, name: owner.name, role: 'cashier' })).reason).toBe('owner_only');
    expect((await fails('staff.save', { id: manager.id, name: manager.name, role: 'owner' })).code).toBe('forbidden');
    expect(counts()).toEqual(before);

    await ok('staff.signOut', {});
    await signIn(owner, pins.owner);
    const boss = await ok('staff.save', { name: 'Boss', role: 'owner', pin: '1111' });
    expect(boss.role).toBe('owner');
  });

  it('the last active owner cannot be demoted or deactivated', async () => {
    await signIn(owner, pins.owner);
    const before = counts();
    const demote = await fails('staff.save', { id: owner.id, name: owner.name, role: 'manager' });
    expect(demote).toMatchObject({ code: 'rejected', reason: 'last_owner' });
    expect((await fails('staff.save', { id: owner.id, name: owner.name, role: 'owner', active: false })).reason).toBe(
      'last_owner',
    );
    expect(counts()).toEqual(before);
    // Renaming the last owner is fine.
    expect((await ok('staff.save', { id: owner.id, name: 'Olga O.', role: 'owner' })).name).toBe('Olga O.');

    const second = await ok('staff.save', { name: 'Otto Owner', role: 'owner', pin: '8080' });
    expect((await ok('staff.save', { id: owner.id, name: 'Olga O.', role: 'manager' })).role).toBe('manager');
    // Olga is a manager now and Otto the only owner: he cannot step down either.
    await ok('staff.signOut', {});
    await signIn(second, '8080');
    const otto = await fails('staff.save', { id: second.id, name: second.name, role: 'owner', active: false });
    expect(otto.reason).toBe('last_owner');
    expect((await ok('staff.save', { id: owner.id, name: 'Olga O.', role: 'owner' })).role).toBe('owner');
    expect((await ok('staff.save', { id: second.id, name: second.name, role: 'owner', active: false })).active).toBe(false);
  });

  it('refuses bad input before anything runs', async () => {
    await signIn(owner, pins.owner);
    const before = counts();
    expect((await fails('staff.save', { name: 'No Pin', role: 'cashier' })).issues?.[0]?.path).toBe('pin');
    expect((await fails('staff.save', { name: '', role: 'cashier', pin: '1234' })).code).toBe('invalid_input');
    expect((await fails('staff.save', { name: 'x'.repeat(61), role: 'cashier', pin: '1234' })).code).toBe('invalid_input');
    expect((await fails('staff.save', { name: 'Al', role: 'boss', pin: '1234' })).code).toBe('invalid_input');
    expect((await fails('staff.save', { name: 'Al', role: 'cashier', pin: '123' })).code).toBe('invalid_input');
    expect((await fails('staff.save', { name: 'Al', role: 'cashier', pin: '1234', pinHash: 'x' })).code).toBe('invalid_input');
    expect((await fails('staff.save', { id: 'ghost', name: 'Al', role: 'cashier' })).reason).toBe('unknown_staff');
    expect(counts()).toEqual(before);
  });

  it('a staff member deactivated while signed in is signed out', async () => {
    await signIn(cashier, pins.cashier);
    till.db.prepare('UPDATE staff SET active = 0 WHERE id = ?').run(cashier.id);
    expect(await ok('staff.current', {})).toBeNull();
    expect((await fails('staff.signIn', { staffId: cashier.id, pin: pins.cashier })).reason).toBe('unknown_staff');
  });
});

describe('staff.checkOverride', () => {
  it('validates a manager PIN for a permission before the action', async () => {
    await signIn(cashier, pins.cashier);
    const approved = await ok('staff.checkOverride', {
      permission: 'refund',
      override: { staffId: manager.id, pin: pins.manager },
    });
    expect(approved).toEqual({ approvedBy: { id: manager.id, name: 'Mia Manager' } });
    const denied = await fails('staff.checkOverride', {
      permission: 'manage_settings',
      override: { staffId: manager.id, pin: pins.manager },
    });
    expect(denied).toMatchObject({ code: 'forbidden', reason: 'override_not_allowed' });
    const wrong = await fails('staff.checkOverride', { permission: 'refund', override: { staffId: manager.id, pin: '0000' } });
    expect(wrong).toMatchObject({ reason: 'wrong_pin', params: { left: 4 } });
    expect((await fails('staff.checkOverride', { permission: 'fly', override: { staffId: manager.id, pin: '0000' } })).code).toBe(
      'invalid_input',
    );
    await ok('staff.signOut', {});
    expect(
      (await fails('staff.checkOverride', { permission: 'refund', override: { staffId: manager.id, pin: pins.manager } })).reason,
    ).toBe('not_signed_in');
  });
});

describe('audit.list', () => {
  it('is for managers, filters by action, subject, staff and time, and pages', async () => {
    await signIn(cashier, pins.cashier);
    expect(await fails('audit.list', {})).toMatchObject({ code: 'forbidden', reason: 'needs_role' });
    await ok('staff.signOut', {});

    await signIn(owner, pins.owner);
    advance(30);
    const t0 = clock.toISOString(); // after the setup entries
    advance(30);
    const a = await ok('staff.save', { name: 'Anna', role: 'cashier', pin: '1111' });
    advance(60);
    const t1 = clock.toISOString();
    await ok('staff.save', { id: a.id, name: 'Anna B', role: 'cashier' });
    advance(60);
    await ok('staff.signOut', {});
    await signIn(manager, pins.manager);
    await ok('staff.save', { name: 'Ben', role: 'cashier', pin: '2222' });

    const all = await ok('audit.list', {});
    // Three setup entries (no staff) and three saves, newest first.
    expect(all.total).toBe(6);
    expect(all.entries.map((e) => e.action)).toEqual([
      'staff.created',
      'staff.updated',
      'staff.created',
      'staff.created',
      'staff.created',
      'staff.created',
    ]);
    expect(all.entries[0]).toMatchObject({ staff: { id: manager.id, name: 'Mia Manager' }, approvedBy: null });
    expect(all.entries.at(-1)?.staff).toBeNull();

    const updated = await ok('audit.list', { action: 'staff.updated' });
    expect(updated.entries).toHaveLength(1);
    expect(updated.entries[0]).toMatchObject({
      subject: a.id,
      at: t1,
      staff: { id: owner.id, name: 'Olga Owner' },
      before: { name: 'Anna', role: 'cashier', active: true },
      after: { name: 'Anna B', role: 'cashier', active: true, pinChanged: false },
    });
    expect((await ok('audit.list', { action: 'staff.' })).total).toBe(6);
    expect((await ok('audit.list', { action: 'shift.' })).total).toBe(0);
    expect((await ok('audit.list', { subject: a.id })).total).toBe(2);
    expect((await ok('audit.list', { staffId: owner.id })).total).toBe(2);
    expect((await ok('audit.list', { from: t0, to: t1 })).entries.map((e) => e.subject)).toEqual([a.id]);
    // A bound written with a zone offset means the same instant.
    const t1Paris = new Date(new Date(t1).getTime() + 3600_000).toISOString().replace('Z', '+01:00');
    expect((await ok('audit.list', { from: t1Paris })).total).toBe(2);

    const page1 = await ok('audit.list', { limit: 4 });
    const page2 = await ok('audit.list', { limit: 4, offset: 4 });
    expect(page1.entries).toHaveLength(4);
    expect(page2.entries).toHaveLength(2);
    expect([...page1.entries, ...page2.entries].map((e) => e.id)).toEqual(all.entries.map((e) => e.id));

    expect((await fails('audit.list', { limit: 0 })).code).toBe('invalid_input');
    expect((await fails('audit.list', { limit: 201 })).code).toBe('invalid_input');
    expect((await fails('audit.list', { from: 'yesterday' })).code).toBe('invalid_input');
    expect((await fails('audit.list', { offset: 1.5 })).code).toBe('invalid_input');
  });
});
