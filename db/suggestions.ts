import { prepared } from './sql.ts';
import type { Till } from './till.ts';

export interface Suggestion {
  id: string;
  name: string;
  sku: string;
  unit: 'each' | 'weight';
  price: number;
  /** In how many of the recent baskets with the item this one was bought too. */
  together: number;
}

/** How many recent sales with the item are looked at: recent habits, bounded work per scan. */
const recentBaskets = 400;

/**
 * Frequently bought together, learned from this shop's own sales: the products that most
 * often share a basket with `productId` among its last few hundred sales. One indexed
 * query, no model to train, nothing leaves the till.
 */
export function suggestionsFor(till: Till, productId: string, exclude: string[] = [], limit = 3): Suggestion[] {
  const rows = prepared(
    till.db,
    `WITH baskets AS (
       SELECT l.order_id FROM order_line l JOIN orders o ON o.id = l.order_id
       WHERE l.product_id = ? AND o.kind = 'sale' AND o.state IN ('completed', 'partially_refunded', 'refunded')
       ORDER BY l.rowid DESC LIMIT ${recentBaskets}
     )
     SELECT p.id, p.name, p.sku, p.unit, p.price, count(DISTINCT other.order_id) AS together
     FROM baskets b JOIN order_line other ON other.order_id = b.order_id
     JOIN product p ON p.id = other.product_id
     WHERE other.product_id <> ? AND p.active = 1
     GROUP BY p.id ORDER BY together DESC, p.name LIMIT ?`,
  ).all(productId, productId, limit + exclude.length) as Suggestion[];
  return rows.filter((r) => !exclude.includes(r.id)).slice(0, limit);
}
