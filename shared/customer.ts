import { z } from 'zod';
import { operation } from './contract.ts';
import type { StaffRef } from './staff.ts';

/**
 * Customers and support notes (DESIGN.md §5, issue 5). A note is about a customer and/or
 * one of their orders, has a category, and stays open until someone resolves it with a
 * resolution; open notes flag the customer at the till.
 */
export const noteCategories = ['question', 'complaint', 'return', 'feedback'] as const;
export type NoteCategory = (typeof noteCategories)[number];
export const noteStatuses = ['open', 'resolved'] as const;
export type NoteStatus = (typeof noteStatuses)[number];

export interface Customer {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  notes: string | null;
  marketingConsent: boolean;
  /** When consent was last given; null while there is none. */
  marketingConsentAt: string | null;
  createdAt: string;
  updatedAt: string | null;
}

/** One search hit: enough for a list row and the till's flag. */
export interface CustomerSummary {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  openNotes: number;
}

export interface SupportNote {
  id: string;
  customerId: string | null;
  customerName: string | null;
  orderId: string | null;
  orderNumber: string | null;
  category: NoteCategory;
  body: string;
  status: NoteStatus;
  resolution: string | null;
  author: StaffRef;
  createdAt: string;
  resolvedBy: StaffRef | null;
  resolvedAt: string | null;
}

export interface CustomerDetail {
  customer: Customer;
  /** Newest first: what the till shows when this customer is attached. */
  openNotes: SupportNote[];
  /** Completed sales (refunds not counted) and what they came to. */
  orders: { count: number; spent: number; lastAt: string | null };
}

export interface NotePage {
  notes: SupportNote[];
  /** Pass back as `after` for the next page; null at the end. */
  next: string | null;
}

const noControl = /^[^\p{Cc}]*$/u;
/** Line breaks allowed (a note is a paragraph), other control characters not. */
const noControlButBreaks = /^(?:[^\p{Cc}]|[\r\n\t])*$/u;
const id = z.string().min(1).max(64);

export const customerNameSchema = z.string().trim().min(1).max(120).regex(noControl, 'No control characters');
/** Digits with the usual separators, an optional leading +, and at least 5 digits. */
export const phoneSchema = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[0-9][0-9 ()./-]*$/, 'A phone number is digits, spaces, dashes or brackets, with an optional leading +')
  .refine((p) => p.replace(/\D/g, '').length >= 5, 'A phone number has at least 5 digits');
export const emailSchema = z.string().trim().max(254).pipe(z.email());
/** A form's empty field means "none". */
const blankIsNull = z.literal('').transform(() => null);

export const customerSaveSchema = z
  .object({
    /** Without id a customer is created. */
    id: id.optional(),
    name: customerNameSchema,
    phone: z.union([blankIsNull, phoneSchema]).nullable().default(null),
    email: z.union([blankIsNull, emailSchema]).nullable().default(null),
    notes: z
      .union([blankIsNull, z.string().trim().max(1000).regex(noControlButBreaks, 'No control characters')])
      .nullable()
      .default(null),
    marketingConsent: z.boolean().default(false),
  })
  .strict();
export type CustomerSave = z.input<typeof customerSaveSchema>;

/** What digits a phone is searched and compared by. */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

const noteBody = z.string().trim().min(1).max(2000).regex(noControlButBreaks, 'No control characters');
const isoTime = z.iso.datetime({ offset: true });
/** A keyset cursor: `<created_at>|<id>` of the last note shown. */
const cursor = z
  .string()
  .max(120)
  .regex(/^[^|]+\|[^|]+$/, 'Not a page cursor');

export const noteOpenSchema = z
  .object({
    customerId: id.optional(),
    orderId: id.optional(),
    category: z.enum(noteCategories),
    body: noteBody,
  })
  .strict()
  .refine((n) => n.customerId !== undefined || n.orderId !== undefined, {
    message: 'A note is about a customer, an order or both',
    path: ['customerId'],
  });

export const noteListSchema = z
  .object({
    status: z.enum(noteStatuses).optional(),
    category: z.enum(noteCategories).optional(),
    customerId: id.optional(),
    orderId: id.optional(),
    /** Opened at or after. */
    from: isoTime.optional(),
    /** Opened before (exclusive). */
    to: isoTime.optional(),
    after: cursor.optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((f) => !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to), {
    message: 'The start must come before the end',
    path: ['to'],
  });

export const customerOperations = {
  /** By name, phone (digits, any separators) or email; an empty query lists the newest customers. */
  'customer.search': operation<CustomerSummary[]>()(
    z.object({ query: z.string().trim().max(120).default(''), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    'staff',
  ),
  'customer.get': operation<CustomerDetail>()(z.object({ id }).strict(), 'staff'),
  'customer.save': operation<Customer>()(customerSaveSchema, 'staff'),
  'note.open': operation<SupportNote>()(noteOpenSchema, 'staff'),
  'note.resolve': operation<SupportNote>()(
    z.object({ id, resolution: z.string().trim().min(1).max(2000).regex(noControlButBreaks, 'No control characters') }).strict(),
    'staff',
  ),
  /** The notes inbox, newest first, keyset-paged. */
  'note.list': operation<NotePage>()(noteListSchema, 'staff'),
};
