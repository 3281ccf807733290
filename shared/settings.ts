import { z } from 'zod';
import { operation } from './contract.ts';
import { overrideSchema } from './staff.ts';

export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

export const taxModes = ['inclusive', 'exclusive'] as const;
export type TaxMode = (typeof taxModes)[number];

/**
 * A GS1 variable-measure rule: EAN-13 codes starting with `prefix` carry an item code of
 * `itemDigits` digits and a price (minor units) or weight (grams) in the digits after it.
 */
export const embeddedBarcodeRuleSchema = z
  .object({
    prefix: z.string().regex(/^2\d{0,2}$/),
    kind: z.enum(['price', 'weight']),
    itemDigits: z.number().int().min(4).max(6),
    valueDigits: z.number().int().min(4).max(6),
  })
  .strict();
export type EmbeddedBarcodeRule = z.infer<typeof embeddedBarcodeRuleSchema>;

export const tillSettingsSchema = z.object({
  language: z.enum(languages),
  /** False until first-run setup (or the demo) has made a shop. */
  setupComplete: z.boolean(),
  shopName: z.string().trim().min(1).max(80),
  shopAddress: z.string().max(200),
  currency: z.string().regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as EUR'),
  /** BCP 47 locale for money and dates, e.g. en-GB, zh-CN. */
  locale: z.string().min(2).max(35),
  taxMode: z.enum(taxModes),
  /** Cash tenders round to this many minor units (5 = 0.05); 1 = no rounding. */
  cashRoundingStep: z.number().int().min(1).max(100),
  /** A cashier may discount up to this share (basis points) without a manager. */
  cashierDiscountLimitBp: z.number().int().min(0).max(10000),
  /** Prefix of this till's order numbers: T01-000123. */
  tillCode: z.string().regex(/^[A-Z0-9]{1,6}$/),
  receiptFooter: z.string().max(300),
  /** Lock the till after this many seconds without input (0 = never). */
  idleLockSeconds: z.number().int().min(0).max(86400),
  embeddedBarcodeRules: z.array(embeddedBarcodeRuleSchema).max(10),
  /** Online backups: where (empty = the data folder's backups/), how often, how many to keep. */
  backupFolder: z.string().max(500),
  backupEveryMinutes: z.number().int().min(0).max(10080),
  backupKeep: z.number().int().min(1).max(1000),
  /** Where receipts go: the system (Electron, or the browser's print dialog) or an ESC/POS printer on the network. */
  printer: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('system'), deviceName: z.string().trim().min(1).max(200).optional() }).strict(),
    z
      .object({
        kind: z.literal('escpos'),
        host: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'A printer address such as 192.168.1.50'),
        port: z.number().int().min(1).max(65535).default(9100),
        /** Characters per line: 32 (58 mm paper), 42 or 48 (80 mm). */
        width: z.union([z.literal(32), z.literal(42), z.literal(48)]),
      })
      .strict(),
  ]),
});
export type TillSettings = z.infer<typeof tillSettingsSchema>;

export const defaultTillSettings: TillSettings = {
  language: 'en',
  setupComplete: false,
  shopName: 'My shop',
  shopAddress: '',
  currency: 'EUR',
  locale: 'en-IE',
  taxMode: 'inclusive',
  cashRoundingStep: 1,
  cashierDiscountLimitBp: 1000,
  tillCode: 'T01',
  receiptFooter: 'Thank you!',
  idleLockSeconds: 300,
  embeddedBarcodeRules: [
    { prefix: '21', kind: 'price', itemDigits: 5, valueDigits: 5 },
    { prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5 },
  ],
  backupFolder: '',
  backupEveryMinutes: 60,
  backupKeep: 48,
  printer: { kind: 'system' },
};

export const settingsOperations = {
  'settings.get': operation<TillSettings>()(z.object({}).strict()),
  /** The language is anyone's; other settings need an owner, or an owner's PIN as an override. */
  'settings.update': operation<TillSettings>()(
    tillSettingsSchema.partial().extend({ override: overrideSchema.optional() }).strict(),
  ),
};
