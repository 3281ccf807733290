import type { customerOperations, NoteCategory, NoteStatus, SupportNote } from '../shared/customer.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { requireStaff } from './staff-access.ts';
import type { Till } from './till.ts';

interface NoteRow {
  id: string;
  customer_id: string | null;
  customer_name: string | null;
  order_id: string | null;
  order_number: string | null;
  category: NoteCategory;
  body: string;
  status: NoteStatus;
  resolution: string | null;
  created_by: string;
  author_name: string;
  created_at: string;
  resolved_by: string | null;
  resolver_name: string | null;
  resolved_at: string | null;
}

const noteSql = `SELECT n.*, c.name AS customer_name, o.number AS order_number, a.name AS author_name, r.name AS resolver_name
  FROM support_note n
  JOIN staff a ON a.id = n.created_by
  LEFT JOIN staff r ON r.id = n.resolved_by
  LEFT JOIN customer c ON c.id = n.customer_id
  LEFT JOIN orders o ON o.id = n.order_id`;

function toNote(row: NoteRow): SupportNote {
  return {
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    orderId: row.order_id,
    orderNumber: row.order_number,
    category: row.category,
    body: row.body,
    status: row.status,
    resolution: row.resolution,
    author: { id: row.created_by, name: row.author_name },
    createdAt: row.created_at,
    resolvedBy: row.resolved_by ? { id: row.resolved_by, name: row.resolver_name ?? '' } : null,
    resolvedAt: row.resolved_at,
  };
}

export function loadNote(till: Till, id: string): SupportNote {
  const row = prepared(till.db, `${noteSql} WHERE n.id = ?`).get(id) as NoteRow | undefined;
  if (!row) throw new TillError('not_found', 'unknown_note', 'That support note is not known here', { id });
  return toNote(row);
}

/** Open notes about a customer (or any of their orders), newest first: the till's flag. */
export function openNotesOf(till: Till, customerId: string): SupportNote[] {
  const rows = prepared(
    till.db,
    `${noteSql} WHERE n.customer_id = ? AND n.status = 'open' ORDER BY n.created_at DESC, n.id DESC LIMIT 50`,
  ).all(customerId) as NoteRow[];
  return rows.map(toNote);
}

/** Every note about one order, oldest first. */
export function notesOfOrder(till: Till, orderId: string): SupportNote[] {
  const rows = prepared(till.db, `${noteSql} WHERE n.order_id = ? ORDER BY n.created_at, n.id`).all(orderId) as NoteRow[];
  return rows.map(toNote);
}

export function noteHandlers(
  till: Till,
): HandlersFor<Pick<typeof customerOperations, 'note.open' | 'note.resolve' | 'note.list'>> {
  const { db } = till;
  return {
    'note.open': (input) => {
      const staff = requireStaff(till);
      const note = db.transaction(() => {
        let customerId = input.customerId ?? null;
        if (customerId && !prepared(db, 'SELECT 1 FROM customer WHERE id = ?').get(customerId)) {
          throw new TillError('not_found', 'unknown_customer', 'No such customer', { id: customerId });
        }
        if (input.orderId) {
          const order = prepared(db, 'SELECT number, customer_id FROM orders WHERE id = ?').get(input.orderId) as
            | { number: string | null; customer_id: string | null }
            | undefined;
          if (!order) throw new TillError('not_found', 'unknown_order', `No order ${input.orderId}`, { id: input.orderId });
          // A sale still on the till can be cleared, and a note would hold it back.
          if (!order.number) throw new TillError('rejected', 'note_order_not_completed', 'Notes go on completed orders only');
          if (customerId && order.customer_id && order.customer_id !== customerId) {
            throw new TillError('rejected', 'note_customer_mismatch', `Order ${order.number} belongs to another customer`, {
              number: order.number,
            });
          }
          customerId ??= order.customer_id;
        }
        const id = uuidv7(till.now().getTime());
        const now = till.now().toISOString();
        prepared(
          db,
          `INSERT INTO support_note (id, customer_id, order_id, category, body, status, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
        ).run(id, customerId, input.orderId ?? null, input.category, input.body, staff.id, now);
        const created = loadNote(till, id);
        writeAudit(till, {
          staffId: staff.id,
          action: 'note.opened',
          subject: input.orderId ?? customerId,
          after: { note: id, category: input.category },
        });
        appendOp(till, 'note.opened', created);
        return created;
      })();
      return note;
    },

    'note.resolve': ({ id, resolution }) => {
      const staff = requireStaff(till);
      return db.transaction(() => {
        const before = loadNote(till, id);
        const now = till.now().toISOString();
        const moved = prepared(
          db,
          "UPDATE support_note SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'open'",
        ).run(resolution, staff.id, now, id);
        if (moved.changes !== 1) {
          throw new TillError('conflict', 'note_already_resolved', 'That note was already resolved', {
            name: before.resolvedBy?.name ?? '',
          });
        }
        const after = loadNote(till, id);
        writeAudit(till, {
          staffId: staff.id,
          action: 'note.resolved',
          subject: before.orderId ?? before.customerId,
          before: { note: id, status: 'open' },
          after: { note: id, status: 'resolved' },
        });
        appendOp(till, 'note.resolved', { id, resolution, resolvedBy: staff.id, resolvedAt: now });
        return after;
      })();
    },

    'note.list': (filter) => {
      requireStaff(till);
      const where: string[] = [];
      const params: (string | number)[] = [];
      const add = (sql: string, ...values: (string | number)[]) => {
        where.push(sql);
        params.push(...values);
      };
      if (filter.status) add('n.status = ?', filter.status);
      if (filter.category) add('n.category = ?', filter.category);
      if (filter.customerId) add('n.customer_id = ?', filter.customerId);
      if (filter.orderId) add('n.order_id = ?', filter.orderId);
      if (filter.from) add('n.created_at >= ?', new Date(filter.from).toISOString());
      if (filter.to) add('n.created_at < ?', new Date(filter.to).toISOString());
      if (filter.after) {
        const [at = '', lastId = ''] = filter.after.split('|');
        add('(n.created_at < ? OR (n.created_at = ? AND n.id < ?))', at, at, lastId);
      }
      const sql = `${noteSql} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY n.created_at DESC, n.id DESC LIMIT ?`;
      const rows = prepared(db, sql).all(...params, filter.limit + 1) as NoteRow[];
      const page = rows.slice(0, filter.limit).map(toNote);
      const last = page.at(-1);
      return { notes: page, next: rows.length > filter.limit && last ? `${last.createdAt}|${last.id}` : null };
    },
  };
}
