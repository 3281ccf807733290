import { type Customer, type CustomerSummary, type customerOperations, phoneDigits } from '../shared/customer.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { requireStaff } from './staff-access.ts';
import { noteHandlers, openNotesOf } from './support-note.ts';
import type { Till } from './till.ts';

interface CustomerRow {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  notes: string | null;
  marketing_consent: number;
  marketing_consent_at: string | null;
  created_at: string;
  updated_at: string | null;
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    name: row.name,
    phone: row.phone,
    email: row.email,
    notes: row.notes,
    marketingConsent: row.marketing_consent === 1,
    marketingConsentAt: row.marketing_consent_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function loadCustomer(till: Till, id: string): Customer {
  const row = prepared(till.db, 'SELECT * FROM customer WHERE id = ?').get(id) as CustomerRow | undefined;
  if (!row) throw new TillError('not_found', 'unknown_customer', 'No such customer', { id });
  return toCustomer(row);
}

/** `%`, `_` and `\` typed by a user are matched as themselves. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const summaryColumns = `c.id, c.name, c.phone, c.email,
  (SELECT count(*) FROM support_note n WHERE n.customer_id = c.id AND n.status = 'open') AS openNotes`;

/**
 * Names and emails match anywhere (a shop has thousands of customers, not millions, so a
 * scan of the table is a millisecond); phones match on their digits, whatever separators
 * were typed. Names starting with the query come first.
 */
function searchCustomers(till: Till, query: string, limit: number): CustomerSummary[] {
  if (query === '') {
    return prepared(till.db, `SELECT ${summaryColumns} FROM customer c ORDER BY c.created_at DESC, c.id DESC LIMIT ?`).all(
      limit,
    ) as CustomerSummary[];
  }
  const like = `%${likeEscape(query)}%`;
  const digits = phoneDigits(query);
  // "12" in a name search should not pull in every phone containing 12.
  const phoneLike = digits.length >= 3 ? `%${digits}%` : null;
  return prepared(
    till.db,
    `SELECT ${summaryColumns} FROM customer c
     WHERE c.name LIKE :like ESCAPE '\\' OR c.email LIKE :like ESCAPE '\\' OR (:phone IS NOT NULL AND c.phone_digits LIKE :phone)
     ORDER BY c.name LIKE :prefix ESCAPE '\\' DESC, c.name COLLATE NOCASE, c.id LIMIT :limit`,
  ).all({ like, phone: phoneLike, prefix: `${likeEscape(query)}%`, limit }) as CustomerSummary[];
}

/** What the audit log keeps of a change: which fields, never the contact details themselves. */
function changedFields(before: Customer, after: Customer): string[] {
  return (['name', 'phone', 'email', 'notes', 'marketingConsent'] as const).filter((k) => before[k] !== after[k]);
}

export function customerHandlers(till: Till): HandlersFor<typeof customerOperations> {
  const { db } = till;
  return {
    'customer.search': ({ query, limit }) => {
      requireStaff(till);
      return searchCustomers(till, query, limit);
    },

    'customer.get': ({ id }) => {
      requireStaff(till);
      const customer = loadCustomer(till, id);
      const orders = prepared(
        db,
        `SELECT count(*) AS count, coalesce(sum(total), 0) AS spent, max(completed_at) AS lastAt FROM orders
         WHERE customer_id = ? AND kind = 'sale' AND completed_at IS NOT NULL AND state <> 'voided'`,
      ).get(id) as { count: number; spent: number; lastAt: string | null };
      return { customer, openNotes: openNotesOf(till, id), orders };
    },

    'customer.save': (input) => {
      const staff = requireStaff(till);
      return db.transaction(() => {
        const before = input.id ? loadCustomer(till, input.id) : null;
        if (input.email) {
          const taken = prepared(db, 'SELECT id, name FROM customer WHERE email = ? COLLATE NOCASE AND id <> ? LIMIT 1').get(
            input.email,
            input.id ?? '',
          ) as { id: string; name: string } | undefined;
          if (taken) {
            throw new TillError('conflict', 'duplicate_customer_email', `${input.email} belongs to ${taken.name} already`, {
              email: input.email,
              name: taken.name,
            });
          }
        }
        // Saving an unchanged form is not an event: nothing to audit or sync.
        if (before && changedFields(before, { ...before, ...input }).length === 0) return before;
        const now = till.now().toISOString();
        const consentAt = input.marketingConsent ? (before?.marketingConsent ? before.marketingConsentAt : now) : null;
        const values = {
          name: input.name,
          phone: input.phone,
          phone_digits: input.phone ? phoneDigits(input.phone) : null,
          email: input.email,
          notes: input.notes,
          consent: input.marketingConsent ? 1 : 0,
          consent_at: consentAt,
          now,
        };
        const id = before?.id ?? uuidv7(till.now().getTime());
        if (before) {
          prepared(
            db,
            `UPDATE customer SET name = :name, phone = :phone, phone_digits = :phone_digits, email = :email, notes = :notes,
               marketing_consent = :consent, marketing_consent_at = :consent_at, updated_at = :now WHERE id = :id`,
          ).run({ ...values, id });
        } else {
          prepared(
            db,
            `INSERT INTO customer (id, name, phone, phone_digits, email, notes, marketing_consent, marketing_consent_at, created_at, updated_at)
             VALUES (:id, :name, :phone, :phone_digits, :email, :notes, :consent, :consent_at, :now, :now)`,
          ).run({ ...values, id });
        }
        const after = loadCustomer(till, id);
        writeAudit(till, {
          staffId: staff.id,
          action: before ? 'customer.updated' : 'customer.created',
          subject: id,
          before: before ? { marketingConsent: before.marketingConsent } : undefined,
          after: { changed: before ? changedFields(before, after) : ['created'], marketingConsent: after.marketingConsent },
        });
        appendOp(till, 'customer.saved', after);
        return after;
      })();
    },

    ...noteHandlers(till),
  };
}
