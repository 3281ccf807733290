import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyBarcode,
  embeddedBarcode,
  gs1CheckDigit,
  hasValidCheckDigit,
  parseEmbedded,
  withCheckDigit,
} from '../../shared/barcode.ts';
import { defaultTillSettings, type EmbeddedBarcodeRule } from '../../shared/settings.ts';

const rules = defaultTillSettings.embeddedBarcodeRules;

describe('GS1 check digits on real published codes', () => {
  // Real GTINs printed on products and in the GS1 documentation.
  const valid: [string, string][] = [
    ['4006381333931', 'ean13'], // Stabilo pen
    ['5012345678900', 'ean13'], // GS1 UK example
    ['9780306406157', 'ean13'], // ISBN-13 example
    ['036000291452', 'upca'], // UPC-A, GS1 US example
    ['96385074', 'ean8'], // EAN-8 example
    ['10012345678902', 'gtin14'], // GTIN-14 on an outer case
  ];

  it.each(valid)('%s is a valid %s', (code, kind) => {
    expect(classifyBarcode(code)).toEqual({ kind, valid: true });
    expect(hasValidCheckDigit(code)).toBe(true);
    expect(gs1CheckDigit(code.slice(0, -1))).toBe(Number(code.at(-1)));
  });

  it.each([
    ['4006381333932', 'ean13'], // last digit changed
    ['4006381339331', 'ean13'], // two digits swapped (33 39 → 39 33)
    ['5012345678901', 'ean13'],
    ['036000291453', 'upca'],
    ['96385075', 'ean8'],
    ['10012345678903', 'gtin14'],
  ])('%s (corrupted) is an invalid %s', (code, kind) => {
    expect(classifyBarcode(code)).toEqual({ kind, valid: false });
  });

  it('checks a UPC-A exactly like the EAN-13 with a leading 0', () => {
    expect(gs1CheckDigit('03600029145')).toBe(gs1CheckDigit('003600029145'));
    expect(hasValidCheckDigit('0036000291452')).toBe(true);
  });

  it.each(['ABC-123', '4011', '12345', 'SKU 1', '2112345', '123456789'])('%s is "other" and looked up as is', (code) => {
    expect(classifyBarcode(code)).toEqual({ kind: 'other', valid: true });
  });

  it('catches every single wrong digit and every adjacent swap of digits that differ by other than 5', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.nat(12), fc.integer({ min: 1, max: 9 }), (body, at, delta) => {
        const code = withCheckDigit(body);
        expect(hasValidCheckDigit(code)).toBe(true);
        const wrong = code.slice(0, at) + String((Number(code[at]) + delta) % 10) + code.slice(at + 1);
        expect(hasValidCheckDigit(wrong)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.nat(11), (body, at) => {
        const code = withCheckDigit(body);
        const a = Number(code[at]);
        const b = Number(code[at + 1]);
        fc.pre(a !== b && Math.abs(a - b) !== 5);
        const swapped = code.slice(0, at) + code[at + 1] + code[at] + code.slice(at + 2);
        expect(hasValidCheckDigit(swapped)).toBe(false);
      }),
    );
  });
});

describe('variable-measure (price and weight) labels', () => {
  it('reads a weight label by hand: 22 | 12345 | 01234 g | check 3', () => {
    // Body 221234501234; weights 3,1,3,… from the right:
    // 4·3 + 3·1 + 2·3 + 1·1 + 0·3 + 5·1 + 4·3 + 3·1 + 2·3 + 1·1 + 2·3 + 2·1 = 57 → check (10 − 7) = 3.
    expect(parseEmbedded('2212345012343', rules)).toEqual({ itemCode: '2212345', kind: 'weight', value: 1234 });
    expect(embeddedBarcode({ prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5 }, '12345', 1234)).toBe('2212345012343');
  });

  it('reads a price label by hand: 21 | 00042 | 3.49 | check 1', () => {
    // Body 210004200349: 9·3 + 4·1 + 3·3 + 0 + 0 + 2·1 + 4·3 + 0 + 0 + 0 + 1·3 + 2·1 = 59 → check 1.
    expect(parseEmbedded('2100042003491', rules)).toEqual({ itemCode: '2100042', kind: 'price', value: 349 });
  });

  it('refuses a label whose check digit is wrong, whatever its prefix', () => {
    expect(parseEmbedded('2212345012344', rules)).toBeNull();
    expect(parseEmbedded('2100042003490', rules)).toBeNull();
  });

  it('ignores codes outside the configured prefixes and codes that are not EAN-13', () => {
    expect(parseEmbedded('4006381333931', rules)).toBeNull();
    expect(parseEmbedded(withCheckDigit('231234501234'), rules)).toBeNull();
    expect(parseEmbedded('96385074', rules)).toBeNull();
    expect(parseEmbedded('2212345', rules)).toBeNull();
  });

  it('follows a configured layout, and a rule whose digits do not add up to 13 never matches', () => {
    const sixAndFour: EmbeddedBarcodeRule[] = [{ prefix: '23', kind: 'weight', itemDigits: 6, valueDigits: 4 }];
    const label = withCheckDigit('231234560750'); // item 123456, 750 g
    expect(parseEmbedded(label, sixAndFour)).toEqual({ itemCode: '23123456', kind: 'weight', value: 750 });
    const broken: EmbeddedBarcodeRule[] = [{ prefix: '23', kind: 'weight', itemDigits: 5, valueDigits: 4 }];
    expect(parseEmbedded(label, broken)).toBeNull();
    const onePrefix: EmbeddedBarcodeRule[] = [{ prefix: '2', kind: 'price', itemDigits: 6, valueDigits: 5 }];
    expect(parseEmbedded(withCheckDigit('212345600999'), onePrefix)).toEqual({ itemCode: '2123456', kind: 'price', value: 999 });
  });

  it('round-trips every label the default rules can print', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rules),
        fc.stringMatching(/^\d{5}$/),
        fc.integer({ min: 0, max: 99_999 }),
        (rule, item, value) => {
          const label = embeddedBarcode(rule, item, value);
          expect(label).toHaveLength(13);
          expect(classifyBarcode(label)).toEqual({ kind: 'ean13', valid: true });
          expect(parseEmbedded(label, rules)).toEqual({ itemCode: `${rule.prefix}${item}`, kind: rule.kind, value });
        },
      ),
    );
  });

  it('will not print a value that does not fit the label', () => {
    const rule = rules[0] as EmbeddedBarcodeRule;
    expect(() => embeddedBarcode(rule, '12345', 100_000)).toThrow(RangeError);
    expect(() => embeddedBarcode(rule, '123456', 5)).toThrow(RangeError);
    expect(() => embeddedBarcode(rule, '12345', -1)).toThrow(RangeError);
  });
});
