import type { EmbeddedBarcodeRule } from './settings.ts';

/**
 * Barcodes as a scanner reads them. GS1 codes (EAN-13, EAN-8, UPC-A, GTIN-14) end in a
 * mod-10 check digit that catches misreads; anything else (Code 128 SKUs with letters,
 * short PLUs such as 4011) is "other" and looked up exactly as typed.
 */
export type BarcodeKind = 'ean13' | 'ean8' | 'upca' | 'gtin14' | 'other';

export interface BarcodeClass {
  kind: BarcodeKind;
  /** False only for a GS1-shaped code whose check digit is wrong. */
  valid: boolean;
}

const gs1Kinds: Record<number, BarcodeKind> = { 8: 'ean8', 12: 'upca', 13: 'ean13', 14: 'gtin14' };

/**
 * The GS1 check digit for `body` (the code without its last digit): weights 3, 1, 3, …
 * from the right, so a UPC-A is checked exactly like the EAN-13 with a leading 0.
 */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) sum += (body.charCodeAt(i) - 48) * weight;
  return (10 - (sum % 10)) % 10;
}

/** `body` with its check digit appended. */
export function withCheckDigit(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}

export function hasValidCheckDigit(code: string): boolean {
  return /^\d{2,}$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** Only all-digit codes of a GS1 length are checked; everything else is "other" and valid. */
export function classifyBarcode(code: string): BarcodeClass {
  const kind = /^\d+$/.test(code) ? gs1Kinds[code.length] : undefined;
  if (!kind) return { kind: 'other', valid: true };
  return { kind, valid: hasValidCheckDigit(code) };
}

export interface EmbeddedValue {
  /**
   * The rule's prefix followed by the item digits, e.g. "2212345" for 2212345012342. A
   * weighed or priced product carries this as one of its barcode rows, so the lookup that
   * finds it is the same exact barcode lookup as for any other code.
   */
  itemCode: string;
  kind: EmbeddedBarcodeRule['kind'];
  /** Minor units for a price label, grams (= thousandths of a kg) for a weight label. */
  value: number;
}

/**
 * A variable-measure label (EAN-13 in the 2x restricted range): prefix, item digits, value
 * digits, check digit. A rule whose lengths do not add up to 13 can never match. The value
 * digits carry no separate price check digit in this layout. Checks the overall check
 * digit itself, so a misread label never yields a price.
 */
export function parseEmbedded(code: string, rules: readonly EmbeddedBarcodeRule[]): EmbeddedValue | null {
  if (code.length !== 13 || !hasValidCheckDigit(code)) return null;
  for (const rule of rules) {
    if (rule.prefix.length + rule.itemDigits + rule.valueDigits + 1 !== 13 || !code.startsWith(rule.prefix)) continue;
    const itemEnd = rule.prefix.length + rule.itemDigits;
    return { itemCode: code.slice(0, itemEnd), kind: rule.kind, value: Number(code.slice(itemEnd, 12)) };
  }
  return null;
}

/** The label a scale would print: for tests, demos and the generator. */
export function embeddedBarcode(rule: EmbeddedBarcodeRule, itemDigits: string, value: number): string {
  if (!/^\d+$/.test(itemDigits) || itemDigits.length > rule.itemDigits || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`No ${rule.prefix} label for item ${itemDigits} and value ${value}`);
  }
  if (String(value).length > rule.valueDigits) throw new RangeError(`${value} does not fit in ${rule.valueDigits} digits`);
  const body = `${rule.prefix}${itemDigits.padStart(rule.itemDigits, '0')}${String(value).padStart(rule.valueDigits, '0')}`;
  return withCheckDigit(body);
}
