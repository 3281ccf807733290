import { z } from 'zod';
import type { TenderKind } from './cash.ts';
import { operation } from './contract.ts';
import { TillError } from './errors.ts';
import { formatMoney, majorString, minorDigits, mulDiv } from './money.ts';
import type { Order, OrderLine } from './sale.ts';
import type { Language, TaxMode, TillSettings } from './settings.ts';

/**
 * A receipt, built once from a completed order and the shop's settings. The same model
 * (and the same `receiptLayout` text) drives the HTML receipt and the ESC/POS job, so the
 * paper and the screen never disagree. Money stays in minor units until the layout.
 */

/** The words printed on a receipt, in the till's language (the printer is reached from db/, not the renderer's catalog). */
export interface ReceiptWords {
  sale: string;
  refund: string;
  copy: string;
  voided: string;
  order: string;
  refundOf: string;
  date: string;
  cashier: string;
  customer: string;
  items: string;
  subtotal: string;
  lineDiscounts: string;
  discount: string;
  saleDiscount: string;
  taxAdded: string;
  total: string;
  refundTotal: string;
  rounding: string;
  toPay: string;
  change: string;
  priceChanged: string;
  taxTable: { rate: string; net: string; tax: string; gross: string };
  tenders: Record<TenderKind, string>;
}

export const receiptWords: Record<Language, ReceiptWords> = {
  en: {
    sale: 'Receipt',
    refund: 'Refund',
    copy: 'COPY',
    voided: 'VOIDED',
    order: 'Order',
    refundOf: 'Refund of',
    date: 'Date',
    cashier: 'Cashier',
    customer: 'Customer',
    items: 'Items',
    subtotal: 'Subtotal',
    lineDiscounts: 'Line discounts',
    discount: 'Discount',
    saleDiscount: 'Sale discount',
    taxAdded: 'Tax',
    total: 'TOTAL',
    refundTotal: 'REFUND TOTAL',
    rounding: 'Cash rounding',
    toPay: 'To pay',
    change: 'Change',
    priceChanged: 'price changed',
    taxTable: { rate: 'Rate', net: 'Net', tax: 'Tax', gross: 'Gross' },
    tenders: { cash: 'Cash', card: 'Card', voucher: 'Voucher', store_credit: 'Store credit', other: 'Other' },
  },
  'zh-CN': {
    sale: '购物小票',
    refund: '退款单',
    copy: '副本',
    voided: '已作废',
    order: '单号',
    refundOf: '原单号',
    date: '日期',
    cashier: '收银员',
    customer: '顾客',
    items: '件数',
    subtotal: '小计',
    lineDiscounts: '单品折扣',
    discount: '折扣',
    saleDiscount: '整单折扣',
    taxAdded: '税额',
    total: '合计',
    refundTotal: '退款合计',
    rounding: '现金舍入',
    toPay: '应付',
    change: '找零',
    priceChanged: '已改价',
    taxTable: { rate: '税率', net: '不含税', tax: '税额', gross: '含税' },
    tenders: { cash: '现金', card: '银行卡', voucher: '代金券', store_credit: '储值', other: '其他' },
  },
};

export interface ReceiptLine {
  name: string;
  sku: string;
  unit: OrderLine['unit'];
  /** Thousandths. */
  quantity: number;
  unitPrice: number;
  /**
   * What the line shows on the right: price × quantity on a sale, the money going back on a
   * refund (negative); before tax in an exclusive shop, tax included in an inclusive one.
   */
  amount: number;
  lineDiscount: number;
  /** This line's share of the sale discount (shown once, in the totals). */
  orderDiscount: number;
  taxRateBp: number;
  /** A, B, C… one letter per tax rate, matching the tax table. */
  taxCode: string;
  tax: number;
  /** What the customer pays for the line, tax included. */
  total: number;
  priceOverridden: boolean;
}

export interface ReceiptTaxRow {
  code: string;
  rateBp: number;
  net: number;
  tax: number;
  gross: number;
}

export interface ReceiptTender {
  kind: TenderKind;
  /** Counted toward the order (negative on a refund). */
  amount: number;
  /** Cash handed over; null for other kinds. */
  tendered: number | null;
  change: number;
  reference: string | null;
}

export interface Receipt {
  orderId: string;
  number: string;
  kind: 'sale' | 'refund';
  voided: boolean;
  /** A reprint: marked COPY so it cannot pass for a second sale. */
  copy: boolean;
  /** The sale a refund belongs to. */
  originalNumber: string | null;
  shopName: string;
  shopAddress: string[];
  footer: string[];
  cashier: string;
  customer: string | null;
  /** ISO time the order completed. */
  time: string;
  /** The same time for people, in the shop's locale. */
  timeText: string;
  currency: string;
  locale: string;
  language: Language;
  taxMode: TaxMode;
  lines: ReceiptLine[];
  /** Units sold (weighed lines count one each). */
  itemCount: number;
  /** Σ line amounts. */
  subtotal: number;
  lineDiscounts: number;
  orderDiscount: number;
  discountTotal: number;
  taxTotal: number;
  /** subtotal − discounts (+ tax when exclusive): what the order came to. */
  total: number;
  cashRounding: number;
  /** total + cashRounding: what the tenders paid. */
  due: number;
  taxes: ReceiptTaxRow[];
  tenders: ReceiptTender[];
  /** Σ handed over (cash as tendered). */
  paid: number;
  change: number;
  words: ReceiptWords;
}

export interface BuildReceiptOptions {
  copy?: boolean;
  /** IANA zone for the printed time; the machine's own when absent (tests pin it). */
  timeZone?: string;
}

type ReceiptSettings = Pick<
  TillSettings,
  'shopName' | 'shopAddress' | 'receiptFooter' | 'locale' | 'currency' | 'taxMode' | 'language'
>;

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function textLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function formatTime(iso: string, locale: string, timeZone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) };
  for (const attempt of [locale, 'en']) {
    try {
      return new Intl.DateTimeFormat(attempt, options).format(new Date(iso));
    } catch {
      // an unusable locale or zone falls back to English rather than breaking a receipt
    }
  }
  return iso;
}

/** Only what is done gets a receipt: a sale in progress or parked has no number yet. */
export function buildReceipt(order: Order, settings: ReceiptSettings, options: BuildReceiptOptions = {}): Receipt {
  if (!order.number || !order.completedAt || order.state === 'open' || order.state === 'parked') {
    throw new TillError('rejected', 'no_receipt_yet', 'A receipt exists once the sale is complete', { id: order.id });
  }
  const { taxMode } = settings;
  const rates = [...new Set(order.lines.map((l) => l.taxRateBp))].sort((a, b) => a - b);
  const codeOf = (rateBp: number) => String.fromCharCode(65 + Math.min(rates.indexOf(rateBp), 25));

  const lines = order.lines.map((line): ReceiptLine => {
    const net = line.total - line.tax;
    // A sale line shows its shelf price × quantity; a refund line already is its share of what was paid.
    const amount =
      order.kind === 'sale' ? mulDiv(line.unitPrice, line.quantity, 1000) : taxMode === 'inclusive' ? line.total : net;
    return {
      name: line.name,
      sku: line.sku,
      unit: line.unit,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      amount,
      lineDiscount: line.lineDiscount,
      orderDiscount: line.orderDiscount,
      taxRateBp: line.taxRateBp,
      taxCode: codeOf(line.taxRateBp),
      tax: line.tax,
      total: line.total,
      priceOverridden: line.priceOverridden,
    };
  });

  const taxes = rates.map((rateBp): ReceiptTaxRow => {
    const at = lines.filter((l) => l.taxRateBp === rateBp);
    const gross = sum(at.map((l) => l.total));
    const tax = sum(at.map((l) => l.tax));
    return { code: codeOf(rateBp), rateBp, net: gross - tax, tax, gross };
  });

  const subtotal = sum(lines.map((l) => l.amount));
  const lineDiscounts = sum(lines.map((l) => l.lineDiscount));
  const orderDiscount = sum(lines.map((l) => l.orderDiscount));
  const taxTotal = sum(lines.map((l) => l.tax));
  const total = sum(lines.map((l) => l.total));
  const tenders = order.tenders.map(
    (t): ReceiptTender => ({ kind: t.kind, amount: t.amount, tendered: t.tendered, change: t.change, reference: t.reference }),
  );
  const original = order.related.find((r) => r.id === order.originalOrderId);

  return {
    orderId: order.id,
    number: order.number,
    kind: order.kind,
    voided: order.state === 'voided',
    copy: options.copy ?? false,
    originalNumber: original?.number ?? null,
    shopName: settings.shopName,
    shopAddress: textLines(settings.shopAddress),
    footer: textLines(settings.receiptFooter),
    cashier: order.staffName,
    customer: order.customerName,
    time: order.completedAt,
    timeText: formatTime(order.completedAt, settings.locale, options.timeZone),
    currency: settings.currency,
    locale: settings.locale,
    language: settings.language,
    taxMode,
    lines,
    itemCount: sum(lines.map((l) => (l.unit === 'each' ? Math.round(l.quantity / 1000) : 1))),
    subtotal,
    lineDiscounts,
    orderDiscount,
    discountTotal: lineDiscounts + orderDiscount,
    taxTotal,
    total,
    cashRounding: order.cashRounding,
    due: total + order.cashRounding,
    taxes,
    tenders,
    paid: sum(tenders.map((t) => t.tendered ?? t.amount)),
    change: sum(tenders.map((t) => t.change)),
    words: receiptWords[settings.language] ?? receiptWords.en,
  };
}

/** One row of printed text: a label on the left, a figure on the right. */
export interface ReceiptRow {
  label: string;
  value: string;
  strong?: boolean;
}

export interface ReceiptItemText {
  name: string;
  /** "2 × €1.99", "0.615 kg × €3.99/kg"; null for one item at its shelf price. */
  detail: string | null;
  amount: string;
  taxCode: string;
  discount: ReceiptRow | null;
}

/** A receipt as text, every figure formatted once, for whatever draws it (HTML or ESC/POS). */
export interface ReceiptLayout {
  title: string;
  /** COPY, VOIDED. */
  marks: string[];
  header: string[];
  meta: ReceiptRow[];
  items: ReceiptItemText[];
  totals: ReceiptRow[];
  tenders: ReceiptRow[];
  taxHead: [string, string, string, string];
  taxRows: [string, string, string, string][];
  footer: string[];
  /** The order number, as the CODE128 barcode a return scans. */
  barcode: string;
}

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, options);
  } catch {
    return new Intl.NumberFormat('en', options);
  }
}

/** Tax rate in basis points for people: 2000 → "20%", 550 → "5.5%". */
export function rateText(rateBp: number, locale: string): string {
  return `${numberFormat(locale, { maximumFractionDigits: 2 }).format(rateBp / 100)}%`;
}

export function receiptLayout(receipt: Receipt): ReceiptLayout {
  const { words, currency, locale } = receipt;
  const money = (minor: number) => formatMoney(minor, currency, locale);
  const digits = minorDigits(currency);
  const plain = numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  // Table cells without the currency sign, so four columns fit on 58 mm paper.
  const amount = (minor: number) => plain.format(majorString(minor, currency) as `${number}`);
  const kilos = numberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 });

  const items = receipt.lines.map((line): ReceiptItemText => {
    const changed = line.priceOverridden ? ` (${words.priceChanged})` : '';
    let detail: string | null;
    if (line.unit === 'weight') detail = `${kilos.format(line.quantity / 1000)} kg × ${money(line.unitPrice)}/kg${changed}`;
    else if (line.quantity !== 1000 || changed) detail = `${line.quantity / 1000} × ${money(line.unitPrice)}${changed}`;
    else detail = null;
    return {
      name: line.name,
      detail,
      amount: money(line.amount),
      taxCode: line.taxCode,
      discount: line.lineDiscount > 0 ? { label: words.discount, value: money(-line.lineDiscount) } : null,
    };
  });

  const totals: ReceiptRow[] = [{ label: words.items, value: String(receipt.itemCount) }];
  if (receipt.discountTotal > 0 || receipt.taxMode === 'exclusive') {
    totals.push({ label: words.subtotal, value: money(receipt.subtotal) });
  }
  if (receipt.lineDiscounts > 0) totals.push({ label: words.lineDiscounts, value: money(-receipt.lineDiscounts) });
  if (receipt.orderDiscount > 0) totals.push({ label: words.saleDiscount, value: money(-receipt.orderDiscount) });
  if (receipt.taxMode === 'exclusive') totals.push({ label: words.taxAdded, value: money(receipt.taxTotal) });
  totals.push({ label: receipt.kind === 'refund' ? words.refundTotal : words.total, value: money(receipt.total), strong: true });
  if (receipt.cashRounding !== 0) {
    totals.push({ label: words.rounding, value: money(receipt.cashRounding) });
    totals.push({ label: words.toPay, value: money(receipt.due), strong: true });
  }

  const tenders: ReceiptRow[] = receipt.tenders.map((t) => ({
    label: t.reference ? `${words.tenders[t.kind]} ${t.reference}` : words.tenders[t.kind],
    value: money(t.tendered ?? t.amount),
  }));
  if (receipt.change > 0) tenders.push({ label: words.change, value: money(receipt.change), strong: true });

  const meta: ReceiptRow[] = [{ label: words.order, value: receipt.number }];
  if (receipt.originalNumber) meta.push({ label: words.refundOf, value: receipt.originalNumber });
  meta.push({ label: words.date, value: receipt.timeText }, { label: words.cashier, value: receipt.cashier });
  if (receipt.customer) meta.push({ label: words.customer, value: receipt.customer });

  return {
    title: receipt.kind === 'refund' ? words.refund : words.sale,
    marks: [...(receipt.copy ? [words.copy] : []), ...(receipt.voided ? [words.voided] : [])],
    header: [receipt.shopName, ...receipt.shopAddress],
    meta,
    items,
    totals,
    tenders,
    taxHead: [words.taxTable.rate, words.taxTable.net, words.taxTable.tax, words.taxTable.gross],
    taxRows: receipt.taxes.map((t) => [`${t.code} ${rateText(t.rateBp, locale)}`, amount(t.net), amount(t.tax), amount(t.gross)]),
    footer: receipt.footer,
    barcode: receipt.number,
  };
}

/** What a print request did: printed, or left to the browser's print dialog (or, in Electron, saved as a PDF). */
export type PrintResult =
  | { printed: true }
  | { printed: false; fallback: 'browser' }
  | { printed: false; fallback: 'pdf'; path: string };

const orderId = z.string().min(1).max(64);

export const receiptOperations = {
  'receipt.get': operation<Receipt>()(z.object({ orderId, copy: z.boolean().optional() }).strict(), 'staff'),
  /** Prints after the sale has committed: a printer that fails never loses the sale, and this can be retried. */
  'receipt.print': operation<PrintResult>()(z.object({ orderId, copy: z.boolean().optional() }).strict(), 'staff'),
  /** Opens the drawer for the cash sale, refund or no-sale just recorded; never on its own. */
  'printer.kickDrawer': operation<{ opened: boolean }>()(z.object({}).strict(), 'staff'),
  'printer.test': operation<PrintResult>()(z.object({}).strict(), 'staff'),
};
