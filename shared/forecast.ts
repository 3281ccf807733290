/**
 * Reorder suggestions from a product's own recent sales: a least-squares straight line
 * through its daily sales (DESIGN.md: simple, explainable, no model to train), extended
 * over the supplier's lead time. Pure maths; quantities are thousandths as everywhere.
 */

export interface Trend {
  /** Expected sales on the first day of the history (x = 0). */
  intercept: number;
  /** Change in daily sales from one day to the next. */
  slope: number;
}

/** The least-squares line through (0, y₀), (1, y₁), …; flat through the one value, or 0, when there are fewer than two. */
export function fitTrend(values: readonly number[]): Trend {
  const n = values.length;
  if (n === 0) return { intercept: 0, slope: 0 };
  const meanX = (n - 1) / 2;
  let sumY = 0;
  for (const y of values) sumY += y;
  const meanY = sumY / n;
  if (n === 1) return { intercept: meanY, slope: 0 };
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) * (x - meanX);
  });
  const slope = sxy / sxx;
  return { intercept: meanY - slope * meanX, slope };
}

/** Expected sales on each of the `days` days after the history; a falling line stops at zero, never below. */
export function forecastDaily(history: readonly number[], days: number): number[] {
  const { intercept, slope } = fitTrend(history);
  const out: number[] = [];
  for (let k = 0; k < days; k++) out.push(Math.max(0, intercept + slope * (history.length + k)));
  return out;
}

export interface ReorderInput {
  /** Sales per day, oldest first, in thousandths (days without a sale are 0). */
  history: readonly number[];
  /** Days until goods ordered today arrive. */
  leadDays: number;
  onHand: number;
  reorderPoint: number;
  unit: 'each' | 'weight';
}

export interface ReorderSuggestion {
  /** Forecast sales for tomorrow (thousandths, rounded). */
  dailyNow: number;
  /** Forecast sales over the lead time (thousandths, rounded). */
  demand: number;
  /** What to order so that stock is still at the reorder point when the delivery comes: whole units for items sold each. */
  quantity: number;
  /** Days the stock on hand lasts at tomorrow's rate; null when nothing is expected to sell. */
  coverDays: number | null;
}

/**
 * order = reorder point + demand over the lead time − on hand, when positive; items sold
 * each are ordered in whole units (rounded up), weighed goods to the gram.
 */
export function suggestReorder(input: ReorderInput): ReorderSuggestion {
  const daily = forecastDaily(input.history, Math.max(1, input.leadDays));
  const tomorrow = daily[0] ?? 0;
  const demand = Math.round(input.leadDays > 0 ? daily.reduce((sum, d) => sum + d, 0) : 0);
  const need = input.reorderPoint + demand - input.onHand;
  const quantity = need <= 0 ? 0 : input.unit === 'each' ? Math.ceil(need / 1000) * 1000 : Math.ceil(need);
  return {
    dailyNow: Math.round(tomorrow),
    demand,
    quantity,
    coverDays: tomorrow > 0 ? Math.max(0, input.onHand) / tomorrow : null,
  };
}
