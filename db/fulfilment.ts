import { TillError } from '../shared/errors.ts';
import {
  canFulfil,
  type Fulfilment,
  type FulfilmentState,
  type PackingSlip,
  type ShippingAddress,
} from '../shared/fulfilment.ts';
import type { orderHistoryOperations } from '../shared/order-history.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { loadOrder } from './order-read.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { requireStaff } from './staff-access.ts';
import type { Till } from './till.ts';

interface FulfilmentRow extends ShippingAddress {
  order_id: string;
  state: FulfilmentState;
  carrier: string | null;
  tracking_number: string | null;
  created_by: string;
  creator_name: string;
  created_at: string;
  shipped_at: string | null;
  delivered_at: string | null;
}

function toFulfilment(row: FulfilmentRow): Fulfilment {
  return {
    orderId: row.order_id,
    state: row.state,
    address: {
      recipient: row.recipient,
      line1: row.line1,
      line2: row.line2,
      city: row.city,
      region: row.region,
      postcode: row.postcode,
      country: row.country,
      phone: row.phone,
      instructions: row.instructions,
    },
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    createdBy: { id: row.created_by, name: row.creator_name },
    createdAt: row.created_at,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
  };
}

export function findFulfilment(till: Till, orderId: string): Fulfilment | null {
  const row = prepared(
    till.db,
    'SELECT f.*, s.name AS creator_name FROM fulfilment f JOIN staff s ON s.id = f.created_by WHERE f.order_id = ?',
  ).get(orderId) as FulfilmentRow | undefined;
  return row ? toFulfilment(row) : null;
}

function requireFulfilment(till: Till, orderId: string): Fulfilment {
  const found = findFulfilment(till, orderId);
  if (!found) throw new TillError('not_found', 'no_fulfilment', 'That order is not for delivery', { id: orderId });
  return found;
}

/** A sale that still has goods owed to the customer: completed, not voided, not wholly refunded. */
function requireShippable(till: Till, orderId: string): { number: string } {
  const order = prepared(till.db, 'SELECT number, kind, state FROM orders WHERE id = ?').get(orderId) as
    | { number: string | null; kind: string; state: string }
    | undefined;
  if (!order) throw new TillError('not_found', 'unknown_order', `No order ${orderId}`, { id: orderId });
  if (order.kind !== 'sale' || !order.number || (order.state !== 'completed' && order.state !== 'partially_refunded')) {
    throw new TillError(
      'rejected',
      'order_not_shippable',
      `Order ${order.number ?? orderId} cannot be delivered (${order.state})`,
      {
        number: order.number ?? orderId,
        state: order.state,
      },
    );
  }
  return { number: order.number };
}

function refuseMove(from: FulfilmentState, to: FulfilmentState): never {
  throw new TillError('conflict', 'fulfilment_transition', `An order that is ${from} cannot become ${to}`, { from, to });
}

/**
 * Fulfilment of delivery orders. Each change is one transaction with its audit entry and
 * outbox op; a move is guarded twice — by the state machine in shared/, and by an UPDATE
 * that only matches the expected current state, so two tills cannot both ship a parcel.
 */
export function fulfilmentHandlers(
  till: Till,
): HandlersFor<
  Pick<
    typeof orderHistoryOperations,
    'fulfilment.create' | 'fulfilment.updateAddress' | 'fulfilment.ship' | 'fulfilment.deliver' | 'fulfilment.packingSlip'
  >
> {
  const { db } = till;

  function move(orderId: string, to: FulfilmentState, set: string, params: Record<string, string>): Fulfilment {
    const staff = requireStaff(till);
    return db.transaction(() => {
      const before = requireFulfilment(till, orderId);
      if (!canFulfil(before.state, to)) refuseMove(before.state, to);
      // Goods leave only for a sale that still stands; a parcel already out may still arrive.
      const number =
        to === 'shipped'
          ? requireShippable(till, orderId).number
          : (prepared(db, 'SELECT number FROM orders WHERE id = ?').get(orderId) as { number: string }).number;
      const moved = prepared(db, `UPDATE fulfilment SET state = :to, ${set} WHERE order_id = :orderId AND state = :from`).run({
        ...params,
        to,
        from: before.state,
        orderId,
      });
      if (moved.changes !== 1) refuseMove(before.state, to);
      const after = requireFulfilment(till, orderId);
      writeAudit(till, {
        staffId: staff.id,
        action: `fulfilment.${to}`,
        subject: orderId,
        before: { state: before.state },
        after: { state: to, ...params },
      });
      appendOp(till, `fulfilment.${to}`, { orderId, number, ...params, at: till.now().toISOString() });
      return after;
    })();
  }

  return {
    'fulfilment.create': ({ orderId, address }) => {
      const staff = requireStaff(till);
      return db.transaction(() => {
        const { number } = requireShippable(till, orderId);
        const existing = findFulfilment(till, orderId);
        if (existing) {
          throw new TillError('conflict', 'fulfilment_exists', `Order ${number} is already for delivery`, {
            number,
            state: existing.state,
          });
        }
        prepared(
          db,
          `INSERT INTO fulfilment (order_id, state, recipient, line1, line2, city, region, postcode, country, phone, instructions, created_by, created_at)
           VALUES (:orderId, 'to_ship', :recipient, :line1, :line2, :city, :region, :postcode, :country, :phone, :instructions, :staff, :now)`,
        ).run({ ...address, orderId, staff: staff.id, now: till.now().toISOString() });
        writeAudit(till, { staffId: staff.id, action: 'fulfilment.to_ship', subject: orderId, after: { state: 'to_ship' } });
        appendOp(till, 'fulfilment.to_ship', { orderId, number, address });
        return requireFulfilment(till, orderId);
      })();
    },

    'fulfilment.updateAddress': ({ orderId, address }) => {
      const staff = requireStaff(till);
      return db.transaction(() => {
        const before = requireFulfilment(till, orderId);
        const changed = prepared(
          db,
          `UPDATE fulfilment SET recipient = :recipient, line1 = :line1, line2 = :line2, city = :city, region = :region,
             postcode = :postcode, country = :country, phone = :phone, instructions = :instructions
           WHERE order_id = :orderId AND state = 'to_ship'`,
        ).run({ ...address, orderId });
        if (changed.changes !== 1) {
          throw new TillError('rejected', 'fulfilment_address_locked', 'The parcel has left: its address can no longer change', {
            state: before.state,
          });
        }
        writeAudit(till, { staffId: staff.id, action: 'fulfilment.address', subject: orderId, after: { changed: 'address' } });
        appendOp(till, 'fulfilment.address', { orderId, address });
        return requireFulfilment(till, orderId);
      })();
    },

    'fulfilment.ship': ({ orderId, carrier, trackingNumber }) =>
      move(orderId, 'shipped', 'carrier = :carrier, tracking_number = :trackingNumber, shipped_at = :at', {
        carrier,
        trackingNumber,
        at: till.now().toISOString(),
      }),

    'fulfilment.deliver': ({ orderId }) => move(orderId, 'delivered', 'delivered_at = :at', { at: till.now().toISOString() }),

    'fulfilment.packingSlip': ({ orderId }): PackingSlip => {
      requireStaff(till);
      const fulfilment = requireFulfilment(till, orderId);
      const order = loadOrder(till, orderId);
      const settings = till.settings();
      return {
        shopName: settings.shopName,
        shopAddress: settings.shopAddress,
        orderNumber: order.number ?? order.id,
        orderedAt: order.completedAt ?? order.openedAt,
        customerName: order.customerName,
        shipTo: fulfilment.address,
        carrier: fulfilment.carrier,
        trackingNumber: fulfilment.trackingNumber,
        lines: order.lines
          .map((l) => ({ sku: l.sku, name: l.name, unit: l.unit, quantity: l.quantity - l.refundedQuantity }))
          .filter((l) => l.quantity > 0),
        printedAt: till.now().toISOString(),
      };
    },
  };
}
