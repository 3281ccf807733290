import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { writeSettings } from '../../db/settings.ts';
import { createStaff } from '../../db/staff.ts';
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
let manager: StaffMember;
let cashier: StaffMember;

const managerPin = '4821';
const cashierPin = '1357';
const asManager = { staffId: '', pin: managerPin };

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

/** Every table a shift op may touch, so a refused op can be shown to write nothing. */
function snapshot() {
  return ['shift', 'cash_movement', 'audit', 'outbox'].map((t) => till.db.prepare(`SELECT * FROM ${t}`).all());
}

function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

/** A completed cash sale in the open shift, written the way the sale code stores one. */
function cashSale(shiftId: string, total: number, tendered: number) {
  const id = `sale-${total}-${tendered}`;
  till.db
    .prepare(
      `INSERT INTO orders (id, number, kind, state, staff_id, shift_id, total, opened_at, completed_at)
       VALUES (?, ?, 'sale', 'completed', ?, ?, ?, ?, ?)`,
    )
    .run(id, `T01-${id}`, cashier.id, shiftId, total, clock.toISOString(), clock.toISOString());
  till.db
    .prepare("INSERT INTO tender (id, order_id, kind, amount, tendered, change) VALUES (?, ?, 'cash', ?, ?, ?)")
    .run(`${id}-t`, id, total, tendered, tendered - total);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  store = openStore({ dataDir: dir });
  clock = new Date('2025-03-03T08:00:00.000Z');
  till = openTill(store, { now: () => clock });
  api = createTillApi(till, { transport: 'http', version: 'test' });
  writeSettings(store, { idleLockSeconds: 0 }); // the idle lock has its own tests; shifts here run for hours
  createStaff(till, { name: 'Olga Owner', role: 'owner', pin: '9021' });
  manager = createStaff(till, { name: 'Mia Manager', role: 'manager', pin: managerPin });
  cashier = createStaff(till, { name: 'Carl Cashier', role: 'cashier', pin: cashierPin });
  asManager.staffId = manager.id;
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shift lifecycle', () => {
  it('opens with a float, moves cash, opens the drawer, closes blind and reports over/short', async () => {
    expect((await fails('shift.current', {})).reason).toBe('not_signed_in');
    await ok('staff.signIn', { staffId: cashier.id, pin: cashierPin });
    expect(await ok('shift.current', {})).toBeNull();

    const opened = await ok('shift.open', { float: 10_000 });
    expect(opened).toMatchObject({
      openedAt: clock.toISOString(),
      openedBy: { id: cashier.id, name: 'Carl Cashier' },
      float: 10_000,
      blind: true,
      sales: { count: 0, total: 0 },
      expectedCash: null,
    });
    const openOp = till.db.prepare("SELECT payload FROM outbox WHERE type = 'shift.opened'").get() as { payload: string };
    expect(JSON.parse(openOp.payload)).toEqual({
      shiftId: opened.id,
      openedBy: cashier.id,
      openedAt: clock.toISOString(),
      float: 10_000,
      blind: true,
    });

    advance(600);
    const moveIn = await ok('shift.cashMovement', { kind: 'in', amount: 2_000, reason: ' Change from the bank ' });
    expect(moveIn).toMatchObject({
      shiftId: opened.id,
      kind: 'in',
      amount: 2_000,
      reason: 'Change from the bank',
      staffId: cashier.id,
    });
    await ok('shift.cashMovement', { kind: 'out', amount: 1_500, reason: 'Window cleaner' });
    const moveOps = till.db.prepare("SELECT payload FROM outbox WHERE type = 'shift.cash_movement' ORDER BY seq").all() as {
      payload: string;
    }[];
    expect(moveOps.map((o) => JSON.parse(o.payload))).toEqual([
      moveIn,
      expect.objectContaining({ kind: 'out', amount: 1_500, reason: 'Window cleaner' }),
    ]);
    const moveAudit = till.db.prepare("SELECT * FROM audit WHERE action = 'shift.cash_movement' ORDER BY id").all() as Record<
      string,
      string
    >[];
    expect(moveAudit.map((a) => [a.staff_id, a.subject, a.at, JSON.parse(String(a.after))])).toEqual([
      [cashier.id, opened.id, clock.toISOString(), { kind: 'in', amount: 2_000, reason: 'Change from the bank' }],
      [cashier.id, opened.id, clock.toISOString(), { kind: 'out', amount: 1_500, reason: 'Window cleaner' }],
    ]);

    cashSale(opened.id, 1_250, 2_000);
    cashSale(opened.id, 480, 500);

    // A cashier may not open the drawer alone; the refused call writes nothing.
    const before = snapshot();
    expect(await fails('shift.noSale', { reason: 'Customer needs change' })).toMatchObject({
      code: 'forbidden',
      reason: 'needs_manager',
      params: { permission: 'no_sale' },
    });
    expect(snapshot()).toEqual(before);
    expect(await ok('shift.noSale', { reason: 'Customer needs change', override: asManager })).toEqual({ openDrawer: true });
    const noSale = till.db.prepare("SELECT * FROM audit WHERE action = 'shift.no_sale'").get() as Record<string, string>;
    expect(noSale).toMatchObject({ staff_id: cashier.id, approved_by: manager.id, subject: opened.id, at: clock.toISOString() });

    // Blind: the running figures never show what the drawer should hold.
    const running = await ok('shift.current', {});
    expect(running).toMatchObject({
      sales: { count: 2, total: 1_730 },
      cashIn: 2_000,
      cashOut: 1_500,
      noSales: 1,
      expectedCash: null,
    });
    expect(JSON.stringify(running)).not.toContain('12230');
    expect(await fails('shift.xReport', {})).toMatchObject({ code: 'forbidden', reason: 'needs_role' });

    // Closing needs a manager too; without one nothing changes.
    const beforeClose = snapshot();
    expect((await fails('shift.close', { counted: 12_200 })).reason).toBe('needs_manager');
    expect(snapshot()).toEqual(beforeClose);

    advance(3600);
    const closed = await ok('shift.close', { counted: 12_200, override: asManager });
    const expected = 10_000 + 1_250 + 480 + 2_000 - 1_500; // 12 230
    expect(closed).toMatchObject({ expected, counted: 12_200, overShort: -30 });
    expect(closed.zReport).toMatchObject({
      kind: 'Z',
      shiftId: opened.id,
      closedAt: clock.toISOString(),
      closedBy: { id: cashier.id, name: 'Carl Cashier' },
      expectedCash: expected,
      countedCash: 12_200,
      overShort: -30,
      noSales: 1,
    });
    const row = till.db
      .prepare('SELECT closed_by, closed_at, counted_cash, expected_cash FROM shift WHERE id = ?')
      .get(opened.id);
    expect(row).toEqual({ closed_by: cashier.id, closed_at: clock.toISOString(), counted_cash: 12_200, expected_cash: expected });
    const closeAudit = till.db.prepare("SELECT * FROM audit WHERE action = 'shift.closed'").get() as Record<string, string>;
    expect(closeAudit).toMatchObject({ staff_id: cashier.id, approved_by: manager.id, subject: opened.id });
    expect(JSON.parse(String(closeAudit.after))).toEqual({ counted: 12_200, expected, overShort: -30 });
    const closeOp = till.db.prepare("SELECT payload FROM outbox WHERE type = 'shift.closed'").get() as { payload: string };
    expect(JSON.parse(closeOp.payload)).toMatchObject({ shiftId: opened.id, counted: 12_200, expected, overShort: -30 });

    // Closed: no open shift, cash cannot move, and a new shift may open.
    expect(await ok('shift.current', {})).toBeNull();
    expect(await fails('shift.cashMovement', { kind: 'in', amount: 1, reason: 'late' })).toMatchObject({
      code: 'conflict',
      reason: 'no_open_shift',
    });
    expect((await fails('shift.noSale', { reason: 'x', override: asManager })).reason).toBe('no_open_shift');
    expect((await fails('shift.close', { counted: 0, override: asManager })).reason).toBe('no_open_shift');
    const next = await ok('shift.open', { float: 12_200 });
    expect(next.id).not.toBe(opened.id);

    // The Z report reprints the same figures later.
    await ok('staff.signOut', {});
    await ok('staff.signIn', { staffId: manager.id, pin: managerPin });
    advance(86_400);
    const reprint = await ok('shift.zReport', { shiftId: opened.id });
    expect({ ...reprint, printedAt: '' }).toEqual({ ...closed.zReport, printedAt: '' });
    expect(reprint.printedAt).toBe(clock.toISOString());
    expect(await fails('shift.zReport', { shiftId: next.id })).toMatchObject({ code: 'conflict', reason: 'shift_not_closed' });
    expect(await fails('shift.zReport', { shiftId: 'nope' })).toMatchObject({ code: 'not_found', reason: 'unknown_shift' });

    const list = await ok('shift.list', {});
    expect(list.map((s) => [s.id, s.countedCash, s.expectedCash])).toEqual([
      [next.id, null, null],
      [opened.id, 12_200, expected],
    ]);
  });

  it('allows one open shift per till', async () => {
    await ok('staff.signIn', { staffId: cashier.id, pin: cashierPin });
    await ok('shift.open', { float: 5_000 });
    const before = snapshot();
    expect(await fails('shift.open', { float: 5_000 })).toMatchObject({ code: 'conflict', reason: 'shift_already_open' });
    expect(snapshot()).toEqual(before);
  });

  it('refuses bad amounts and reasons before anything runs', async () => {
    await ok('staff.signIn', { staffId: cashier.id, pin: cashierPin });
    const bad: [string, unknown][] = [
      ['shift.open', { float: -1 }],
      ['shift.open', { float: 10.5 }],
      ['shift.open', { float: Number.NaN }],
      ['shift.open', { float: 1e15 }],
      ['shift.open', { float: '100' }],
      ['shift.open', {}],
      ['shift.open', { float: 100, till: 'T02' }],
    ];
    const untouched = snapshot();
    for (const [name, input] of bad) expect((await fails(name, input)).code, JSON.stringify(input)).toBe('invalid_input');
    expect(snapshot()).toEqual(untouched);
    expect(untouched[0]).toEqual([]); // no shift row

    await ok('shift.open', { float: 0 });
    const before = snapshot();
    const badMoves: unknown[] = [
      { kind: 'in', amount: 0, reason: 'x' },
      { kind: 'in', amount: -5, reason: 'x' },
      { kind: 'out', amount: 2.5, reason: 'x' },
      { kind: 'no_sale', amount: 1, reason: 'x' },
      { kind: 'in', amount: 1, reason: '   ' },
      { kind: 'in', amount: 1, reason: 'x'.repeat(201) },
      { kind: 'in', amount: 1 },
    ];
    for (const input of badMoves)
      expect((await fails('shift.cashMovement', input)).code, JSON.stringify(input)).toBe('invalid_input');
    expect((await fails('shift.close', { counted: -1 })).code).toBe('invalid_input');
    expect((await fails('shift.close', { counted: 1.01 })).code).toBe('invalid_input');
    expect((await fails('shift.noSale', { reason: '' })).code).toBe('invalid_input');
    expect((await fails('shift.noSale', { reason: 'x', override: { staffId: manager.id, pin: 'abcd' } })).code).toBe(
      'invalid_input',
    );
    expect(snapshot()).toEqual(before);
    expect((await ok('shift.cashMovement', { kind: 'in', amount: 1, reason: 'x'.repeat(200) })).amount).toBe(1);
  });

  it('a wrong manager PIN on a no-sale counts toward the lockout and opens nothing', async () => {
    await ok('staff.signIn', { staffId: cashier.id, pin: cashierPin });
    await ok('shift.open', { float: 0 });
    const before = snapshot();
    const error = await fails('shift.noSale', { reason: 'x', override: { staffId: manager.id, pin: '0000' } });
    expect(error).toMatchObject({ code: 'unauthorized', reason: 'wrong_pin', params: { left: 4 } });
    const cashierOverride = await fails('shift.noSale', { reason: 'x', override: { staffId: cashier.id, pin: cashierPin } });
    expect(cashierOverride.reason).toBe('override_not_allowed');
    expect(snapshot()).toEqual(before);
  });

  it('a manager needs no override, and may open a shift that shows expected cash', async () => {
    await ok('staff.signIn', { staffId: cashier.id, pin: cashierPin });
    expect(await fails('shift.open', { float: 100, blind: false })).toMatchObject({ code: 'forbidden', reason: 'needs_role' });
    await ok('staff.signOut', {});
    await ok('staff.signIn', { staffId: manager.id, pin: managerPin });
    const open = await ok('shift.open', { float: 100, blind: false });
    expect(open).toMatchObject({ blind: false, expectedCash: 100 });
    await ok('shift.noSale', { reason: 'Check the float' });
    await ok('shift.cashMovement', { kind: 'out', amount: 40, reason: 'Milk for the staff room' });
    cashSale(open.id, 300, 300);
    expect((await ok('shift.current', {}))?.expectedCash).toBe(360);
    const audit = till.db.prepare("SELECT staff_id, approved_by FROM audit WHERE action = 'shift.no_sale'").get();
    expect(audit).toEqual({ staff_id: manager.id, approved_by: null });
    expect(await ok('shift.close', { counted: 365 })).toMatchObject({ expected: 360, counted: 365, overShort: 5 });
  });

  it('the X report changes nothing', async () => {
    await ok('staff.signIn', { staffId: manager.id, pin: managerPin });
    expect(await fails('shift.xReport', {})).toMatchObject({ code: 'conflict', reason: 'no_open_shift' });
    const open = await ok('shift.open', { float: 2_500 });
    cashSale(open.id, 700, 1_000);
    const before = snapshot();
    const x = await ok('shift.xReport', {});
    expect(x).toMatchObject({
      kind: 'X',
      shiftId: open.id,
      expectedCash: 3_200,
      countedCash: null,
      overShort: null,
      closedAt: null,
    });
    expect(snapshot()).toEqual(before);
    expect((await ok('shift.xReport', {})).expectedCash).toBe(3_200);
  });
});
