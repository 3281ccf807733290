import { z } from 'zod';
import { operation } from './contract.ts';
import { languages, taxModes } from './settings.ts';
import { pinSchema } from './staff.ts';

export interface SetupStatus {
  setupComplete: boolean;
  shopName: string;
}

export const setupSchema = z
  .object({
    shopName: z.string().trim().min(1).max(80),
    currency: z.string().regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as EUR'),
    locale: z.string().min(2).max(35),
    language: z.enum(languages),
    taxMode: z.enum(taxModes),
    taxRates: z
      .array(z.object({ name: z.string().trim().min(1).max(40), rateBp: z.number().int().min(0).max(100000) }).strict())
      .min(1)
      .max(10),
    cashRoundingStep: z.number().int().min(1).max(100).default(1),
    ownerName: z.string().trim().min(1).max(80),
    ownerPin: pinSchema,
  })
  .strict();

export interface DemoReport {
  products: number;
  staff: { name: string; role: string; pin: string }[];
  sales: number;
}

export const setupOperations = {
  'setup.status': operation<SetupStatus>()(z.object({}).strict()),
  'setup.create': operation<SetupStatus>()(setupSchema),
  /** A shop to try Tilldesk with: the generated catalog, three staff and a week of sales. */
  'setup.demo': operation<DemoReport>()(
    z
      .object({ products: z.number().int().min(10).max(1_000_000).default(2000), language: z.enum(languages).optional() })
      .strict(),
  ),
};
