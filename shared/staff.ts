import { z } from 'zod';
import { operation } from './contract.ts';

export const roles = ['cashier', 'manager', 'owner'] as const;
export type Role = (typeof roles)[number];

/** Privileged actions (DESIGN.md §7). Each one, when done, writes an audit entry. */
export const permissions = [
  'refund',
  'void',
  'discount_over_limit',
  'override_price',
  'no_sale',
  'adjust_stock',
  'receive_stock',
  'apply_stocktake',
  'return_without_receipt',
  'manage_catalog',
  'manage_staff',
  'manage_settings',
  'close_shift',
] as const;
export type Permission = (typeof permissions)[number];

/** Who may do what without an override. Owners may do everything. */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  cashier: [],
  manager: [
    'refund',
    'void',
    'discount_over_limit',
    'override_price',
    'no_sale',
    'adjust_stock',
    'receive_stock',
    'apply_stocktake',
    'return_without_receipt',
    'manage_catalog',
    // Managers hire and fix PINs for cashiers and managers; owners stay the owners' business.
    'manage_staff',
    'close_shift',
  ],
  owner: permissions,
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

/** Roles in order of trust, for "a manager or above" checks. */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum);
}

export const pinSchema = z.string().regex(/^\d{4,8}$/, 'A PIN is 4 to 8 digits');
export const staffIdSchema = z.string().min(1).max(64);
export const staffNameSchema = z.string().trim().min(1).max(60);

/** A manager's PIN entered at the till to allow one restricted action for a cashier. */
export const overrideSchema = z.object({ staffId: staffIdSchema, pin: pinSchema }).strict();
export type Override = z.infer<typeof overrideSchema>;

export interface StaffMember {
  id: string;
  name: string;
  role: Role;
  active: boolean;
}

/** A staff member as named on receipts, reports and the audit log. */
export interface StaffRef {
  id: string;
  name: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  staff: StaffRef | null;
  /** The manager whose PIN allowed the action, if it was an override. */
  approvedBy: StaffRef | null;
  action: string;
  subject: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditPage {
  entries: AuditRecord[];
  /** Entries matching the filter, across all pages. */
  total: number;
}

const empty = z.object({}).strict();

/** Create (no id: a PIN is required) or update (id: the PIN is changed only if given). */
export const staffSaveSchema = z
  .object({
    id: staffIdSchema.optional(),
    name: staffNameSchema,
    role: z.enum(roles),
    active: z.boolean().optional(),
    pin: pinSchema.optional(),
    override: overrideSchema.optional(),
  })
  .strict()
  .refine((v) => v.id !== undefined || v.pin !== undefined, { message: 'A new staff member needs a PIN', path: ['pin'] });

const isoTime = z.iso.datetime({ offset: true });

export const auditListSchema = z
  .object({
    /** Exact action, or every action under a prefix ending in a dot ("shift."). */
    action: z.string().min(1).max(60).optional(),
    subject: z.string().min(1).max(64).optional(),
    /** Entries done or approved by this staff member. */
    staffId: staffIdSchema.optional(),
    from: isoTime.optional(),
    /** Exclusive. */
    to: isoTime.optional(),
    limit: z.number().int().min(1).max(200).default(50),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const staffOperations = {
  /** Who can sign in here (the sign-in screen); managers may ask for inactive staff too. */
  'staff.list': operation<StaffMember[]>()(z.object({ includeInactive: z.boolean().optional() }).strict(), 'anyone'),
  'staff.signIn': operation<StaffMember>()(z.object({ staffId: staffIdSchema, pin: pinSchema }).strict(), 'anyone'),
  'staff.signOut': operation<null>()(empty, 'anyone'),
  /** The signed-in staff member, or null (nobody, or the till locked itself after idling). */
  'staff.current': operation<StaffMember | null>()(empty, 'anyone'),
  'staff.lock': operation<null>()(empty, 'anyone'),
  /** The UI reports input so the idle lock does not fire under a busy cashier. */
  'staff.touch': operation<StaffMember | null>()(empty, 'anyone'),
  'staff.save': operation<StaffMember>()(staffSaveSchema, 'staff'),
  /** Checks a manager's PIN before the UI goes on with a restricted action. */
  'staff.checkOverride': operation<{ approvedBy: StaffRef }>()(
    z.object({ permission: z.enum(permissions), override: overrideSchema }).strict(),
    'staff',
  ),
  'audit.list': operation<AuditPage>()(auditListSchema, 'manager'),
};
