import Papa from 'papaparse';
import { majorString } from '../shared/money.ts';
import type { UncountedItem, VarianceLine } from '../shared/stocktake.ts';

/** The variance report's columns, in the order they are written. */
export const varianceCsvColumns = [
  'sku',
  'name',
  'unit',
  'status',
  'counted',
  'counted_at',
  'expected',
  'variance',
  'unit_cost',
  'variance_value',
] as const;

/** A cell a spreadsheet would run as a formula; a negative number such as -0.5 is just a number. */
const formulaLike = /^(?!-\d+(?:\.\d+)?$)[=+\-@\t\r]/;

/** Thousandths as a plain decimal: 12000 → "12", -375 → "-0.375". */
export function quantityString(thousandths: number): string {
  const sign = thousandths < 0 ? '-' : '';
  const abs = Math.abs(thousandths);
  const fraction = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 1000)}${fraction ? `.${fraction}` : ''}`;
}

function statusOf(line: VarianceLine): string {
  if (line.result) return line.result;
  if (line.excluded) return 'excluded';
  if (line.superseded) return 'superseded';
  return line.zeroed ? 'zeroed' : 'counted';
}

/**
 * The report as a spreadsheet opens it: the lines in review order (largest money at stake
 * first), then the items nobody counted that no line stands for. Formula-like cells get a
 * leading ' so a product name cannot run as a spreadsheet formula.
 */
export function varianceCsv(lines: readonly VarianceLine[], uncounted: readonly UncountedItem[], currency: string): string {
  const money = (minor: number | null) => (minor === null ? '' : majorString(minor, currency));
  const data: string[][] = lines.map((l) => [
    l.sku,
    l.name,
    l.unit,
    statusOf(l),
    quantityString(l.counted),
    l.countedAt,
    quantityString(l.expected),
    quantityString(l.variance),
    money(l.unitCost),
    l.unitCost === null ? '' : money(l.value),
  ]);
  const inLines = new Set(lines.map((l) => l.productId));
  for (const u of uncounted) {
    if (inLines.has(u.productId)) continue;
    const status = u.excluded ? 'excluded' : 'uncounted';
    data.push([u.sku, u.name, u.unit, status, '', '', quantityString(u.onHand), '', money(u.unitCost), '']);
  }
  return Papa.unparse({ fields: [...varianceCsvColumns], data }, { escapeFormulae: formulaLike, newline: '\r\n' });
}
