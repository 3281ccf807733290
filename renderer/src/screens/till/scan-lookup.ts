/**
 * What a scanned barcode is, for the line the till paints before the store commits it
 * (issue 7 figure 9). One request per code however often it is asked for; a code scanned
 * lately is answered from memory, so the second can of the same soup paints at once; and a
 * lookup starts while the scanner is still typing, as soon as the digits so far determine a
 * whole GS1 code (use-scanner.ts), so the answer is usually here before the Enter. A guess
 * only: sale.scan's answer replaces it.
 */
import { classifyBarcode, withCheckDigit } from '../../../../shared/barcode.ts';
import type { BarcodeLookup } from '../../../../shared/catalog.ts';
import type { Result } from '../../../../shared/errors.ts';
import type { LineGuess } from '../../pending.ts';
import { call } from '../../session.ts';

interface Entry {
  at: number;
  answer: Promise<Result<BarcodeLookup>>;
  found: BarcodeLookup | null;
}

/** Enough for a busy shop's regulars; a price edit shows once sale.scan answers anyway. */
const maxEntries = 500;
const maxAgeMs = 10 * 60_000;
const entries = new Map<string, Entry>();

let rates: Map<string, number> | null = null;
let loadingRates: Promise<void> | null = null;

/** Tax rates by class, read once (and again when a product names a class not seen yet). */
export function loadTaxRates(): Promise<void> {
  loadingRates ??= call('catalog.taxClasses', {}).then((r) => {
    if (r.ok) rates = new Map(r.value.map((c) => [c.id, c.rateBp]));
    loadingRates = null;
  });
  return loadingRates;
}

function rateOf(taxClassId: string | undefined): number {
  if (!taxClassId) return 0;
  const rate = rates?.get(taxClassId);
  if (rate === undefined) void loadTaxRates();
  return rate ?? 0;
}

function fresh(entry: Entry | undefined): entry is Entry {
  return entry !== undefined && Date.now() - entry.at < maxAgeMs;
}

/** Looks a code up, sharing a request already on its way. Refusals are not remembered. */
export function lookup(code: string): Promise<Result<BarcodeLookup>> {
  const known = entries.get(code);
  if (fresh(known)) return known.answer;
  const entry: Entry = { at: Date.now(), answer: call('catalog.lookupBarcode', { code }), found: null };
  entries.set(code, entry);
  void entry.answer.then((r) => {
    if (r.ok) entry.found = r.value;
    else if (entries.get(code) === entry) entries.delete(code);
  });
  if (entries.size > maxEntries) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  return entry.answer;
}

/** The answer already here for `code`, if any: the till paints from it without waiting. */
export function lookedUp(code: string): BarcodeLookup | null {
  const entry = entries.get(code);
  if (!fresh(entry) || !entry.found) return null;
  // Most recently used last, so the oldest is what goes when the map is full.
  entries.delete(code);
  entries.set(code, entry);
  return entry.found;
}

/**
 * The scanner is typing. Twelve digits are the body of an EAN-13, the commonest code on
 * goods: its thirteenth digit, the check digit, follows from them (a scanner sends only codes
 * whose check digit it verified), so that code is looked up now, two keys before the Enter.
 * Any other whole GS1 code (EAN-8, UPC-A, GTIN-14, its check digit right) is looked up as it
 * completes. One request per scan as a rule, so the host is not kept busy with guesses.
 */
export function prefetch(soFar: string): void {
  if (!/^\d+$/.test(soFar)) return;
  if (soFar.length === 12) void lookup(withCheckDigit(soFar));
  const { kind, valid } = classifyBarcode(soFar);
  if (kind !== 'other' && kind !== 'ean13' && valid) void lookup(soFar);
}

/**
 * The line a scan adds, by the store's rule (db/sale.ts sale.scan): a "3x" multiplies an
 * item sold each, never a weight or a price label.
 */
export function guessFromLookup(found: BarcodeLookup, quantity: number | undefined): LineGuess {
  const { product } = found;
  const times = quantity && product.unit === 'each' && found.unitPrice === undefined ? quantity / 1000 : 1;
  return {
    productId: product.id,
    sku: product.sku,
    name: product.name,
    unit: product.unit,
    quantity: found.quantity * times,
    unitPrice: found.unitPrice ?? product.price,
    taxRateBp: rateOf(product.taxClassId),
  };
}

/** The line a picked product (search hit, suggestion, weighed item) adds. */
export function guessFromProduct(
  product: { id: string; name: string; unit: 'each' | 'weight'; price: number; sku?: string; taxClassId?: string },
  quantity: number,
): LineGuess {
  return {
    productId: product.id,
    sku: product.sku ?? '',
    name: product.name,
    unit: product.unit,
    quantity,
    unitPrice: product.price,
    taxRateBp: rateOf(product.taxClassId),
  };
}
