import { z } from 'zod';
import type { OrderLine } from './sale.ts';

/**
 * Orders taken for delivery (DESIGN.md §5): a completed sale gets a shipping address and
 * moves to ship → shipped (carrier, tracking number) → delivered, one step at a time.
 */
export const fulfilmentStates = ['to_ship', 'shipped', 'delivered'] as const;
export type FulfilmentState = (typeof fulfilmentStates)[number];

export const fulfilmentTransitions: Record<FulfilmentState, readonly FulfilmentState[]> = {
  to_ship: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
};

export function canFulfil(from: FulfilmentState, to: FulfilmentState): boolean {
  return fulfilmentTransitions[from].includes(to);
}

const noControl = /^[^\p{Cc}]*$/u;
const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(noControl, 'No control characters');
/** An optional line of an address: empty means none. */
const optionalText = (max: number) =>
  z
    .union([z.literal('').transform(() => null), text(1, max)])
    .nullable()
    .default(null);

export const shippingAddressSchema = z
  .object({
    recipient: text(1, 120),
    line1: text(1, 200),
    line2: optionalText(200),
    city: text(1, 100),
    region: optionalText(100),
    postcode: optionalText(20),
    country: text(2, 60),
    phone: optionalText(32),
    /** For the driver: "leave with the neighbour at no. 5". */
    instructions: optionalText(300),
  })
  .strict();
export type ShippingAddressInput = z.input<typeof shippingAddressSchema>;
export type ShippingAddress = z.output<typeof shippingAddressSchema>;

export const carrierSchema = text(1, 60);
/** Letters, digits and dashes; spaces a customer reads it out with are dropped. */
export const trackingNumberSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9-]{4,40}$/, 'A tracking number is 4 to 40 letters, digits or dashes'));

export interface Fulfilment {
  orderId: string;
  state: FulfilmentState;
  address: ShippingAddress;
  carrier: string | null;
  trackingNumber: string | null;
  createdBy: { id: string; name: string };
  createdAt: string;
  shippedAt: string | null;
  deliveredAt: string | null;
}

/** What goes in the parcel: quantities still owed to the customer (sold minus returned), no prices. */
export interface PackingSlip {
  shopName: string;
  shopAddress: string;
  orderNumber: string;
  orderedAt: string;
  customerName: string | null;
  shipTo: ShippingAddress;
  carrier: string | null;
  trackingNumber: string | null;
  lines: { sku: string; name: string; unit: OrderLine['unit']; quantity: number }[];
  printedAt: string;
}
