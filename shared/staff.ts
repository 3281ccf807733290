import { z } from 'zod';

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
  ],
  owner: permissions,
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

export const pinSchema = z.string().regex(/^\d{4,8}$/, 'A PIN is 4 to 8 digits');

/** A manager's PIN entered at the till to allow one restricted action for a cashier. */
export const overrideSchema = z.object({ staffId: z.string().min(1).max(64), pin: pinSchema }).strict();
export type Override = z.infer<typeof overrideSchema>;

export interface StaffMember {
  id: string;
  name: string;
  role: Role;
  active: boolean;
}

/** Contract rows for staff; filled in by the store issue. */
export const staffOperations = {};
