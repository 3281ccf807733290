import { allocateRefund } from '../shared/cash.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { roundDiv } from '../shared/money.ts';
import { priceOrder } from '../shared/pricing.ts';
import type { saleOperations } from '../shared/sale.ts';
import { shopFloor } from '../shared/stock.ts';
import { writeAudit } from './audit.ts';
import { checkQuantity, nextOrderNumber, openShiftId, productForSale } from './cart.ts';
import type { HandlersFor } from './dispatch.ts';
import { loadOrder, refundedSoFar } from './order-read.ts';
import { appendOp } from './outbox.ts';
import { prepared } from './sql.ts';
import { authorize } from './staff-access.ts';
import { recordMovement } from './stock.ts';
import type { Till } from './till.ts';

/**
 * Refunds and voids (DESIGN.md §5). A refund is its own order, linked line by line to the
 * sale; what comes back per line is capped at what was sold minus what already came back,
 * and each line's money is a share of what was paid for it, so the refunds of a line add
 * up to exactly its total — never a cent more.
 */
export function refundHandlers(
  till: Till,
): HandlersFor<Pick<typeof saleOperations, 'sale.refund' | 'sale.void' | 'sale.returnWithoutReceipt'>> {
  const { db } = till;
  return {
    'sale.refund': (input) => {
      const auth = authorize(till, 'refund', input.override);
      const result = db.transaction(() => {
        const sale = loadOrder(till, input.orderId);
        if (sale.kind !== 'sale' || (sale.state !== 'completed' && sale.state !== 'partially_refunded')) {
          throw new TillError(
            'rejected',
            'not_refundable',
            `Order ${sale.number ?? sale.id} cannot be refunded (${sale.state})`,
            {
              number: sale.number ?? sale.id,
              state: sale.state,
            },
          );
        }
        // The same line asked for twice counts once, summed.
        const wanted = new Map<string, { quantity: number; restock: boolean }>();
        for (const l of input.lines) {
          const prev = wanted.get(l.lineId);
          wanted.set(l.lineId, { quantity: (prev?.quantity ?? 0) + l.quantity, restock: l.restock });
        }
        const refundId = uuidv7(till.now().getTime());
        const now = till.now().toISOString();
        const shiftId = openShiftId(till);
        const number = nextOrderNumber(till);
        prepared(
          db,
          `INSERT INTO orders (id, number, kind, state, original_order_id, customer_id, staff_id, shift_id, opened_at, completed_at)
           VALUES (?, ?, 'refund', 'completed', ?, ?, ?, ?, ?, ?)`,
        ).run(refundId, number, sale.id, sale.customerId, auth.staffId, shiftId, now, now);
        const insertLine = prepared(
          db,
          `INSERT INTO order_line (id, order_id, position, product_id, sku, name, unit, quantity, unit_price, tax_rate_bp, tax, total, original_line_id, restock)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        let position = 0;
        let amount = 0;
        let tax = 0;
        const movements = [];
        for (const [lineId, want] of wanted) {
          const line = sale.lines.find((l) => l.id === lineId);
          if (!line) throw new TillError('not_found', 'unknown_line', 'That line is not on this order', { id: lineId });
          checkQuantity(line.unit, want.quantity, line.name);
          const before = refundedSoFar(till, line.id);
          const left = line.quantity - before.q;
          if (want.quantity > left) {
            throw new TillError('rejected', 'over_refund', `Only ${left / 1000} of ${line.name} can still be returned`, {
              name: line.name,
              left: left / 1000,
            });
          }
          const after = before.q + want.quantity;
          const lineAmount = roundDiv(line.total * after, line.quantity) - before.amount;
          const lineTax = roundDiv(line.tax * after, line.quantity) - before.tax;
          position += 1;
          insertLine.run(
            uuidv7(till.now().getTime()),
            refundId,
            position,
            line.productId,
            line.sku,
            line.name,
            line.unit,
            want.quantity,
            line.unitPrice,
            line.taxRateBp,
            -lineTax,
            -lineAmount,
            line.id,
            want.restock ? 1 : 0,
          );
          amount += lineAmount;
          tax += lineTax;
          if (want.restock) {
            movements.push(
              recordMovement(till, {
                productId: line.productId,
                locationId: shopFloor,
                kind: 'return',
                quantity: want.quantity,
                orderId: refundId,
                staffId: auth.staffId,
                occurredAt: now,
              }),
            );
          }
        }
        prepared(db, 'UPDATE orders SET subtotal = ?, tax_total = ?, total = ? WHERE id = ?').run(
          -amount,
          -tax,
          -amount,
          refundId,
        );

        const paid = sale.tenders.map((t) => {
          const back = prepared(db, 'SELECT coalesce(sum(-amount), 0) AS r FROM tender WHERE original_tender_id = ?').get(
            t.id,
          ) as {
            r: number;
          };
          return { id: t.id, kind: t.kind, paid: t.amount, refunded: back.r };
        });
        const insertTender = prepared(
          db,
          'INSERT INTO tender (id, order_id, kind, amount, change, original_tender_id) VALUES (?, ?, ?, ?, 0, ?)',
        );
        const tenders =
          input.refundTo === 'store_credit'
            ? [{ id: null, kind: 'store_credit' as const, amount }]
            : allocateRefund(paid, amount).map((a) => ({ id: a.id as string | null, kind: a.kind, amount: a.amount }));
        for (const t of tenders)
          if (t.amount > 0) insertTender.run(uuidv7(till.now().getTime()), refundId, t.kind, -t.amount, t.id);

        const fully = loadOrder(till, sale.id).lines.every((l) => l.refundedQuantity >= l.quantity);
        prepared(db, 'UPDATE orders SET state = ? WHERE id = ?').run(fully ? 'refunded' : 'partially_refunded', sale.id);
        const refund = loadOrder(till, refundId);
        appendOp(till, 'sale.refunded', { refund: { ...refund, related: undefined }, movements });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'sale.refund',
          subject: sale.id,
          after: { refund: number, amount, reason: input.reason, to: input.refundTo },
        });
        return refund;
      })();
      till.events.emit('stock.changed', { productIds: result.lines.map((l) => l.productId) });
      return result;
    },
    'sale.returnWithoutReceipt': (input) => {
      const auth = authorize(till, 'return_without_receipt', input.override);
      const products = input.lines.map((l) => {
        const product = productForSale(till, l.productId);
        checkQuantity(product.unit, l.quantity, product.name);
        return product;
      });
      const priced = priceOrder(
        input.lines.map((l, i) => ({
          unitPrice: products[i]?.price ?? 0,
          quantity: l.quantity,
          lineDiscount: 0,
          taxRateBp: products[i]?.rate_bp ?? 0,
        })),
        0,
        till.settings().taxMode,
      );
      const result = db.transaction(() => {
        const refundId = uuidv7(till.now().getTime());
        const now = till.now().toISOString();
        const shiftId = openShiftId(till);
        const number = nextOrderNumber(till);
        prepared(
          db,
          `INSERT INTO orders (id, number, kind, state, staff_id, shift_id, subtotal, tax_total, total, note, opened_at, completed_at)
           VALUES (?, ?, 'refund', 'completed', ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(refundId, number, auth.staffId, shiftId, -priced.subtotal, -priced.taxTotal, -priced.total, input.reason, now, now);
        const movements = [];
        for (const [i, line] of input.lines.entries()) {
          const product = products[i];
          const figures = priced.lines[i];
          if (!product || !figures) continue;
          prepared(
            db,
            `INSERT INTO order_line (id, order_id, position, product_id, sku, name, unit, quantity, unit_price, tax_rate_bp, tax, total, restock)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            uuidv7(till.now().getTime()),
            refundId,
            i + 1,
            product.id,
            product.sku,
            product.name,
            product.unit,
            line.quantity,
            product.price,
            product.rate_bp,
            -figures.tax,
            -figures.total,
            line.restock ? 1 : 0,
          );
          if (line.restock) {
            movements.push(
              recordMovement(till, {
                productId: product.id,
                locationId: shopFloor,
                kind: 'return',
                quantity: line.quantity,
                orderId: refundId,
                staffId: auth.staffId,
                occurredAt: now,
              }),
            );
          }
        }
        prepared(db, 'INSERT INTO tender (id, order_id, kind, amount, change) VALUES (?, ?, ?, ?, 0)').run(
          uuidv7(till.now().getTime()),
          refundId,
          input.refundTo,
          -priced.total,
        );
        const refund = loadOrder(till, refundId);
        appendOp(till, 'sale.refunded', { refund: { ...refund, related: undefined }, movements });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'sale.return_without_receipt',
          subject: refundId,
          after: { refund: number, amount: priced.total, reason: input.reason, to: input.refundTo },
        });
        return refund;
      })();
      till.events.emit('stock.changed', { productIds: result.lines.map((l) => l.productId) });
      return result;
    },
    'sale.void': ({ orderId, reason, override }) => {
      const auth = authorize(till, 'void', override);
      const result = db.transaction(() => {
        const sale = loadOrder(till, orderId);
        if (sale.kind !== 'sale' || sale.state !== 'completed') {
          throw new TillError('rejected', 'not_voidable', `Order ${sale.number ?? sale.id} cannot be voided (${sale.state})`, {
            number: sale.number ?? sale.id,
            state: sale.state,
          });
        }
        if (sale.shiftId !== openShiftId(till)) {
          throw new TillError('rejected', 'void_other_shift', 'Only sales of the current shift can be voided; use a refund');
        }
        const now = till.now().toISOString();
        const sold = prepared(
          db,
          "SELECT product_id, location_id, quantity FROM stock_movement WHERE order_id = ? AND kind = 'sale'",
        ).all(orderId) as { product_id: string; location_id: string; quantity: number }[];
        const movements = sold.map((m) =>
          recordMovement(till, {
            productId: m.product_id,
            locationId: m.location_id,
            kind: 'sale',
            quantity: -m.quantity,
            orderId,
            reason: 'void',
            staffId: auth.staffId,
            occurredAt: now,
          }),
        );
        prepared(db, "UPDATE orders SET state = 'voided', voided_at = ?, voided_by = ? WHERE id = ?").run(
          now,
          auth.approvedBy ?? auth.staffId,
          orderId,
        );
        appendOp(till, 'sale.voided', { orderId, number: sale.number, reason, movements });
        writeAudit(till, {
          staffId: auth.staffId,
          approvedBy: auth.approvedBy,
          action: 'sale.void',
          subject: orderId,
          before: { state: sale.state, total: sale.total },
          after: { state: 'voided', reason },
        });
        return loadOrder(till, orderId);
      })();
      till.events.emit('stock.changed', { productIds: result.lines.map((l) => l.productId) });
      return result;
    },
  };
}
