import { settle } from '../shared/cash.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { discountShareBp } from '../shared/pricing.ts';
import type { Order, saleOperations, Tender } from '../shared/sale.ts';
import type { Override } from '../shared/staff.ts';
import { shopFloor } from '../shared/stock.ts';
import { writeAudit } from './audit.ts';
import {
  addLine,
  checkQuantity,
  createOpenOrder,
  lineGross,
  nextOrderNumber,
  noOpenSale,
  openOrderId,
  openShiftId,
  productForSale,
  repriceOrder,
  requireOpenOrder,
} from './cart.ts';
import { lookupBarcode } from './catalog.ts';
import type { HandlersFor } from './dispatch.ts';
import { loadOpenSale, loadOrder, orderSummaries } from './order-read.ts';
import { appendOp } from './outbox.ts';
import { refundHandlers } from './refund.ts';
import { prepared } from './sql.ts';
import { authorize, requireStaff } from './staff-access.ts';
import { recordMovements } from './stock.ts';
import { suggestionsFor } from './suggestions.ts';
import type { Till } from './till.ts';

interface LineRow {
  id: string;
  order_id: string;
  product_id: string;
  name: string;
  unit: 'each' | 'weight';
  quantity: number;
  unit_price: number;
  line_discount: number;
  price_overridden: number;
}

function openLine(till: Till, lineId: string): LineRow {
  const line = prepared(
    till.db,
    `SELECT l.* FROM order_line l JOIN orders o ON o.id = l.order_id WHERE l.id = ? AND o.state = 'open' AND o.kind = 'sale'`,
  ).get(lineId) as LineRow | undefined;
  if (!line) throw new TillError('not_found', 'unknown_line', 'That line is not on the sale in progress', { id: lineId });
  return line;
}

/** A discount beyond the cashier's limit needs a manager (an override), checked before any write. */
function authorizeDiscount(till: Till, discount: number, base: number, override: Override | undefined) {
  const staff = requireStaff(till);
  if (discount === 0 || discountShareBp(discount, base) <= till.settings().cashierDiscountLimitBp) {
    return { staffId: staff.id, approvedBy: null, privileged: false };
  }
  return { ...authorize(till, 'discount_over_limit', override), privileged: true };
}

export function saleHandlers(till: Till): HandlersFor<typeof saleOperations> {
  const { db } = till;

  function addProduct(productId: string, quantity: number | undefined, embeddedPrice: number | undefined) {
    const staff = requireStaff(till);
    const product = productForSale(till, productId);
    if (product.unit === 'weight' && quantity === undefined) {
      throw new TillError('rejected', 'weight_required', `Weigh ${product.name} first`, { name: product.name });
    }
    const qty = quantity ?? 1000;
    checkQuantity(product.unit, qty, product.name);
    const orderId = db.transaction(() => {
      const id = openOrderId(till) ?? createOpenOrder(till, staff.id);
      addLine(till, id, product, qty, embeddedPrice ?? product.price, false);
      repriceOrder(till, id);
      return id;
    })();
    return loadOrder(till, orderId);
  }

  return {
    'sale.current': () => {
      requireStaff(till);
      return loadOpenSale(till);
    },
    'sale.addItem': ({ productId, quantity, unitPrice }) => addProduct(productId, quantity, unitPrice),
    'sale.scan': ({ code, quantity }) => {
      // Check digits and scale labels (weight or price in the code) are the catalog's job.
      const found = lookupBarcode(db, till.settings().embeddedBarcodeRules, code);
      const times = quantity && found.product.unit === 'each' && !found.unitPrice ? quantity / 1000 : 1;
      return addProduct(found.product.id, found.quantity * times, found.unitPrice);
    },
    'sale.updateLine': ({ lineId, quantity, lineDiscount, unitPrice, override }) => {
      const line = openLine(till, lineId);
      const newQuantity = quantity ?? line.quantity;
      checkQuantity(line.unit, newQuantity, line.name);
      const newPrice = unitPrice ?? line.unit_price;
      const newDiscount = lineDiscount ?? line.line_discount;
      const priceAuth =
        unitPrice !== undefined && unitPrice !== line.unit_price ? authorize(till, 'override_price', override) : null;
      const discountAuth = authorizeDiscount(till, newDiscount, lineGross(newPrice, newQuantity), override);
      db.transaction(() => {
        prepared(
          db,
          'UPDATE order_line SET quantity = ?, unit_price = ?, line_discount = ?, price_overridden = ? WHERE id = ?',
        ).run(newQuantity, newPrice, newDiscount, priceAuth || line.price_overridden ? 1 : 0, lineId);
        repriceOrder(till, line.order_id);
        if (priceAuth) {
          writeAudit(till, {
            ...priceAuth,
            action: 'sale.price_override',
            subject: line.order_id,
            before: { line: lineId, unitPrice: line.unit_price },
            after: { line: lineId, unitPrice: newPrice },
          });
        }
        if (discountAuth.privileged && newDiscount !== line.line_discount) {
          writeAudit(till, {
            staffId: discountAuth.staffId,
            approvedBy: discountAuth.approvedBy,
            action: 'sale.line_discount',
            subject: line.order_id,
            before: { line: lineId, discount: line.line_discount },
            after: { line: lineId, discount: newDiscount },
          });
        }
      })();
      return loadOrder(till, line.order_id);
    },
    'sale.removeLine': ({ lineId }) => {
      requireStaff(till);
      const line = openLine(till, lineId);
      db.transaction(() => {
        prepared(db, 'DELETE FROM order_line WHERE id = ?').run(lineId);
        repriceOrder(till, line.order_id);
      })();
      return loadOrder(till, line.order_id);
    },
    'sale.setOrderDiscount': ({ amount, override }) => {
      const orderId = requireOpenOrder(till);
      const order = loadOrder(till, orderId);
      const base = order.subtotal - order.lines.reduce((sum, l) => sum + l.lineDiscount, 0);
      const auth = authorizeDiscount(till, amount, base, override);
      db.transaction(() => {
        prepared(db, 'UPDATE orders SET order_discount = ? WHERE id = ?').run(amount, orderId);
        repriceOrder(till, orderId);
        if (auth.privileged) {
          writeAudit(till, {
            staffId: auth.staffId,
            approvedBy: auth.approvedBy,
            action: 'sale.order_discount',
            subject: orderId,
            before: { discount: order.orderDiscount },
            after: { discount: amount },
          });
        }
      })();
      return loadOrder(till, orderId);
    },
    'sale.attachCustomer': ({ customerId }) => {
      const staff = requireStaff(till);
      if (customerId && !prepared(db, 'SELECT 1 FROM customer WHERE id = ?').get(customerId)) {
        throw new TillError('not_found', 'unknown_customer', 'No such customer', { id: customerId });
      }
      const orderId = db.transaction(() => {
        const id = openOrderId(till) ?? createOpenOrder(till, staff.id);
        prepared(db, 'UPDATE orders SET customer_id = ? WHERE id = ?').run(customerId, id);
        return id;
      })();
      return loadOrder(till, orderId);
    },
    'sale.park': () => {
      requireStaff(till);
      const orderId = requireOpenOrder(till);
      const lines = prepared(db, 'SELECT count(*) AS n FROM order_line WHERE order_id = ?').get(orderId) as { n: number };
      if (lines.n === 0) throw new TillError('rejected', 'nothing_to_park', 'The sale is empty: nothing to park');
      prepared(db, "UPDATE orders SET state = 'parked', parked_at = ? WHERE id = ? AND state = 'open'").run(
        till.now().toISOString(),
        orderId,
      );
      const [summary] = orderSummaries(till, 'o.id = ?', orderId);
      if (!summary) throw new TillError('internal', 'internal', 'Parked order vanished');
      return summary;
    },
    'sale.parked': () => {
      requireStaff(till);
      return orderSummaries(till, "o.state = 'parked' ORDER BY o.parked_at");
    },
    'sale.resume': ({ orderId }) => {
      requireStaff(till);
      db.transaction(() => {
        const current = openOrderId(till);
        if (current) {
          const n = (prepared(db, 'SELECT count(*) AS n FROM order_line WHERE order_id = ?').get(current) as { n: number }).n;
          if (n > 0) throw new TillError('conflict', 'sale_in_progress', 'Finish or park the sale in progress first');
          prepared(db, 'DELETE FROM orders WHERE id = ?').run(current);
        }
        const result = prepared(db, "UPDATE orders SET state = 'open', parked_at = NULL WHERE id = ? AND state = 'parked'").run(
          orderId,
        );
        if (result.changes === 0)
          throw new TillError('not_found', 'unknown_parked_sale', 'That parked sale is gone', { id: orderId });
      })();
      return loadOrder(till, orderId);
    },
    'sale.clear': () => {
      const staff = requireStaff(till);
      const orderId = openOrderId(till);
      if (!orderId) return null;
      const order = loadOrder(till, orderId);
      db.transaction(() => {
        prepared(db, 'DELETE FROM orders WHERE id = ?').run(orderId);
        // Cleared sales with items are kept in the audit log: a classic way to lose money.
        if (order.lines.length > 0) {
          writeAudit(till, {
            staffId: staff.id,
            action: 'sale.cleared',
            subject: orderId,
            before: { total: order.total, lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, total: l.total })) },
          });
        }
      })();
      return null;
    },
    'sale.complete': ({ tenders }) => {
      const staff = requireStaff(till);
      const order = loadOpenSale(till);
      if (!order) throw noOpenSale();
      if (order.lines.length === 0) throw new TillError('rejected', 'empty_sale', 'Add an item before taking payment');
      for (const t of tenders) {
        if (t.kind === 'card' && !t.reference) {
          throw new TillError('rejected', 'card_reference_required', 'Enter the approval code from the card terminal');
        }
      }
      const settlement = settle(order.total, tenders, till.settings().cashRoundingStep);
      // Everything the completed order holds is known here: it is returned as written, not read back.
      const completed = db.transaction((): Order => {
        const shiftId = openShiftId(till);
        const number = nextOrderNumber(till);
        const now = till.now().toISOString();
        const moved = prepared(
          db,
          "UPDATE orders SET state = 'completed', number = ?, shift_id = ?, cash_rounding = ?, completed_at = ? WHERE id = ? AND state = 'open'",
        ).run(number, shiftId, settlement.cashRounding, now, order.id);
        if (moved.changes !== 1)
          throw new TillError('conflict', 'sale_changed', 'The sale changed while paying; please check it');
        const tenderRows = settlement.tenders.map(
          (t): Tender => ({
            id: uuidv7(till.now().getTime()),
            kind: t.kind,
            amount: t.applied,
            tendered: t.kind === 'cash' ? t.tendered : null,
            change: t.change,
            reference: t.reference ?? null,
          }),
        );
        const insertTender = prepared(
          db,
          'INSERT INTO tender (id, order_id, kind, amount, tendered, change, reference) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        for (const t of tenderRows) insertTender.run(t.id, order.id, t.kind, t.amount, t.tendered, t.change, t.reference);
        const movements = recordMovements(
          till,
          order.lines.map((line) => ({
            productId: line.productId,
            locationId: shopFloor,
            kind: 'sale' as const,
            quantity: -line.quantity,
            orderId: order.id,
            staffId: staff.id,
            occurredAt: now,
          })),
        );
        // A sale just completed has no refunds yet: its lines' refunded quantities stay 0 and
        // it has no related orders.
        const done: Order = {
          ...order,
          state: 'completed',
          number,
          shiftId,
          cashRounding: settlement.cashRounding,
          completedAt: now,
          tenders: tenderRows,
          related: [],
        };
        appendOp(till, 'sale.completed', { order: { ...done, related: undefined }, movements });
        writeAudit(till, {
          staffId: staff.id,
          action: 'sale.completed',
          subject: order.id,
          after: { number, total: order.total, tenders: tenderRows.map((t) => ({ kind: t.kind, amount: t.amount })) },
        });
        return done;
      })();
      till.events.emit('stock.changed', { productIds: order.lines.map((l) => l.productId) });
      return completed;
    },
    'sale.suggestions': ({ productId }) => {
      const open = openOrderId(till);
      const onSale = open
        ? (prepared(db, 'SELECT product_id FROM order_line WHERE order_id = ?').all(open) as { product_id: string }[])
        : [];
      return suggestionsFor(
        till,
        productId,
        onSale.map((l) => l.product_id),
      );
    },
    'sale.order': ({ id }) => {
      requireStaff(till);
      return loadOrder(till, id);
    },
    'sale.byNumber': ({ number }) => {
      requireStaff(till);
      const row = prepared(db, 'SELECT id FROM orders WHERE number = ?').get(number.toUpperCase()) as { id: string } | undefined;
      if (!row) throw new TillError('not_found', 'unknown_order_number', `No order ${number}`, { number });
      return loadOrder(till, row.id);
    },
    ...refundHandlers(till),
  };
}
