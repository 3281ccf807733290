import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitTrend, forecastDaily, suggestReorder } from '../../shared/forecast.ts';

describe('the least-squares trend', () => {
  it('has nothing to fit in an empty history, and is flat through a single day', () => {
    expect(fitTrend([])).toEqual({ intercept: 0, slope: 0 });
    expect(fitTrend([4000])).toEqual({ intercept: 4000, slope: 0 });
  });

  it('goes exactly through points that lie on a line', () => {
    // y = 1000 + 500x over x = 0..5
    const trend = fitTrend([1000, 1500, 2000, 2500, 3000, 3500]);
    expect(trend.slope).toBeCloseTo(500, 9);
    expect(trend.intercept).toBeCloseTo(1000, 9);
  });

  it('matches the textbook sums on scattered points', () => {
    // x̄ = 1.5, ȳ = 3.5; Σ(x−x̄)(y−ȳ) = (−1.5)(−1.5)+(−0.5)(0.5)+(0.5)(−1.5)+(1.5)(2.5) = 5; Σ(x−x̄)² = 5
    const trend = fitTrend([2, 4, 2, 6]);
    expect(trend.slope).toBeCloseTo(1, 12);
    expect(trend.intercept).toBeCloseTo(2, 12);
  });

  it('recovers any line it is given (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: 2, max: 90 }),
        (a, b, n) => {
          const trend = fitTrend(Array.from({ length: n }, (_, x) => a + b * x));
          expect(trend.slope).toBeCloseTo(b, 6);
          expect(trend.intercept).toBeCloseTo(a, 6);
        },
      ),
    );
  });
});

describe('the daily forecast', () => {
  it('carries a rising line on past the last day', () => {
    // Day 0..3 sold 1, 2, 3, 4 units: days 4, 5, 6 forecast 5, 6, 7.
    expect(forecastDaily([1000, 2000, 3000, 4000], 3).map(Math.round)).toEqual([5000, 6000, 7000]);
  });

  it('never forecasts negative sales when the line falls through zero', () => {
    // 4, 3, 2, 1 → 0, −1, −2 would follow; they stop at zero.
    expect(forecastDaily([4000, 3000, 2000, 1000], 3).map(Math.round)).toEqual([0, 0, 0]);
  });

  it('is flat for a steady seller and zero for a product that never sold', () => {
    expect(forecastDaily([2000, 2000, 2000, 2000, 2000], 2).map(Math.round)).toEqual([2000, 2000]);
    expect(forecastDaily(new Array(28).fill(0), 7)).toEqual(new Array(7).fill(0));
  });
});

describe('a reorder suggestion', () => {
  it('orders enough to cover the lead time and still be at the reorder point when the goods arrive', () => {
    // Steady 3 a day; lead time 5 days → demand 15; reorder point 10, on hand 8 → 10 + 15 − 8 = 17.
    const s = suggestReorder({
      history: new Array(14).fill(3000),
      leadDays: 5,
      onHand: 8000,
      reorderPoint: 10_000,
      unit: 'each',
    });
    expect(s).toEqual({ dailyNow: 3000, demand: 15_000, quantity: 17_000, coverDays: 8 / 3 });
  });

  it('follows the trend: a product selling more each day needs more', () => {
    // 1, 2, 3, 4 a day → 5, 6 over a two-day lead time = 11; reorder point 0, on hand 2 → 9.
    const s = suggestReorder({ history: [1000, 2000, 3000, 4000], leadDays: 2, onHand: 2000, reorderPoint: 0, unit: 'each' });
    expect(s.demand).toBe(11_000);
    expect(s.quantity).toBe(9000);
    expect(s.dailyNow).toBe(5000);
  });

  it('rounds items sold each up to whole units, and weighed goods to the gram', () => {
    // 1.25 a day over 2 days = 2.5; reorder point 1, on hand 0 → 3.5 → 4 units.
    const each = suggestReorder({ history: [1250, 1250], leadDays: 2, onHand: 0, reorderPoint: 1000, unit: 'each' });
    expect(each.quantity).toBe(4000);
    const weight = suggestReorder({ history: [1250, 1250], leadDays: 2, onHand: 0, reorderPoint: 1000, unit: 'weight' });
    expect(weight.quantity).toBe(3500);
  });

  it('suggests nothing while stock covers the lead time and the reorder point', () => {
    const s = suggestReorder({ history: [1000, 1000, 1000], leadDays: 7, onHand: 20_000, reorderPoint: 5000, unit: 'each' });
    expect(s.quantity).toBe(0);
    expect(s.coverDays).toBe(20);
  });

  it('makes up negative stock, and brings a product that never sold up to its reorder point', () => {
    const s = suggestReorder({ history: new Array(28).fill(0), leadDays: 7, onHand: -2000, reorderPoint: 6000, unit: 'each' });
    expect(s).toEqual({ dailyNow: 0, demand: 0, quantity: 8000, coverDays: null });
  });

  it('with no lead time only tops up to the reorder point', () => {
    const s = suggestReorder({ history: [5000, 5000], leadDays: 0, onHand: 1000, reorderPoint: 3000, unit: 'each' });
    expect(s.demand).toBe(0);
    expect(s.quantity).toBe(2000);
    expect(s.dailyNow).toBe(5000);
  });

  it('always leaves stock at or above the reorder point after the forecast demand (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: -100_000, max: 200_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom('each' as const, 'weight' as const),
        (history, leadDays, onHand, reorderPoint, unit) => {
          const s = suggestReorder({ history, leadDays, onHand, reorderPoint, unit });
          expect(s.quantity).toBeGreaterThanOrEqual(0);
          expect(onHand + s.quantity - s.demand).toBeGreaterThanOrEqual(reorderPoint);
          if (unit === 'each') expect(s.quantity % 1000).toBe(0);
          // An order is never a whole unit more than what is needed.
          if (s.quantity > 0) expect(onHand + s.quantity - s.demand - reorderPoint).toBeLessThan(unit === 'each' ? 1000 : 1);
          if (s.quantity === 0) expect(onHand - s.demand).toBeGreaterThanOrEqual(reorderPoint);
        },
      ),
    );
  });
});
