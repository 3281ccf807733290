import { BreakLine, CharacterSet, PrinterTypes, ThermalPrinter } from 'node-thermal-printer';
import { TillError } from '../shared/errors.ts';
import { type Receipt, type ReceiptRow, receiptLayout } from '../shared/receipt.ts';

/**
 * ESC/POS for network thermal printers (TCP, usually port 9100), built with
 * node-thermal-printer from the same receipt layout the HTML receipt draws.
 */
export interface EscposTarget {
  host: string;
  port: number;
  /** Characters per line of font A: 32 (58 mm), 42 or 48 (80 mm). */
  width: number;
}

/**
 * ESC p m t1 t2: pulse pin 2 for 50 ms on, 500 ms off. The library's openCashDrawer() sends
 * ESC p without its two timing bytes, which makes a real printer swallow what follows.
 */
export const drawerKick = Buffer.from([0x1b, 0x70, 0x00, 0x19, 0xfa]);
const init = Buffer.from([0x1b, 0x40]);
/** Epson's CODE128 barcode type for GS k. */
const code128 = 73;

function newJob(target: EscposTarget, timeoutMs: number): ThermalPrinter {
  const printer = new ThermalPrinter({
    type: PrinterTypes.EPSON,
    interface: `tcp://${target.host}:${target.port}`,
    width: target.width,
    // Our own wrapping below knows that a Chinese character takes two columns; the library's does not.
    breakLine: BreakLine.NONE,
    options: { timeout: timeoutMs },
  });
  printer.add(init);
  // PC858 is PC850 with €: covers the Latin shop languages; other scripts switch pages per character.
  printer.setCharacterSet(CharacterSet.PC858_EURO);
  return printer;
}

/** Printer-safe text: Intl's narrow and no-break spaces, full-width yen and the minus sign have no place in PC858. */
export function printable(text: string): string {
  return text
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/\uffe5/g, '¥')
    .replace(/\u2212/g, '-');
}

/** Columns a string takes on the printer: East Asian wide characters take two. */
export function columns(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return width;
}

/** Splits text into pieces no wider than `width` columns, at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (columns(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    for (const char of word) {
      if (columns(line + char) > width) {
        lines.push(line);
        line = '';
      }
      line += char;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** Label left, value right; a long label wraps and the value sits on its last line. */
export function pair(label: string, value: string, width: number, indent = 0): string[] {
  const pad = ' '.repeat(indent);
  const room = width - columns(value) - 1 - indent;
  const pieces = wrap(label, Math.max(room, 8));
  const last = pieces.pop() ?? '';
  const out = pieces.map((p) => pad + p);
  const gap = width - indent - columns(last) - columns(value);
  if (gap >= 1) out.push(pad + last + ' '.repeat(gap) + value);
  else out.push(pad + last, ' '.repeat(Math.max(width - columns(value), 0)) + value);
  return out;
}

function rows(printer: ThermalPrinter, list: ReceiptRow[], width: number): void {
  for (const row of list) {
    if (row.strong) printer.bold(true);
    for (const text of pair(printable(row.label), printable(row.value), width)) printer.println(text);
    if (row.strong) printer.bold(false);
  }
}

function centered(printer: ThermalPrinter, text: string, width: number): void {
  for (const piece of wrap(printable(text), width)) printer.println(piece);
}

/** A tax table row of four columns: the first takes what the three right-aligned figures leave. */
function table(cells: string[], width: number): string {
  const figure = Math.floor((width - 6) / 3);
  const first = width - figure * 3;
  const [head = '', ...rest] = cells.map(printable);
  const left = wrap(head, first)[0] ?? '';
  // Each figure keeps a space in front, so neighbours never run together.
  const right = rest.map((cell) => ' '.repeat(Math.max(figure - columns(cell), 1)) + cell);
  return left + ' '.repeat(Math.max(first - columns(left), 0)) + right.join('');
}

export interface ReceiptJobOptions {
  kickDrawer?: boolean;
  timeoutMs?: number;
}

/** The whole receipt as one ESC/POS job: init, header, lines, totals, tenders, tax table, footer, barcode, cut. */
export function receiptJob(receipt: Receipt, target: EscposTarget, options: ReceiptJobOptions = {}): ThermalPrinter {
  const { width } = target;
  const layout = receiptLayout(receipt);
  const printer = newJob(target, options.timeoutMs ?? 5000);
  // The drawer opens first, so the cashier can make change while the paper feeds.
  if (options.kickDrawer) printer.add(drawerKick);

  printer.alignCenter();
  const [shopName = '', ...address] = layout.header;
  printer.bold(true);
  printer.setTextDoubleHeight();
  centered(printer, shopName, width);
  printer.setTextNormal();
  printer.bold(false);
  for (const line of address) centered(printer, line, width);
  printer.newLine();
  printer.bold(true);
  centered(printer, layout.title.toUpperCase(), width);
  for (const mark of layout.marks) centered(printer, `*** ${mark} ***`, width);
  printer.bold(false);
  printer.alignLeft();
  rows(printer, layout.meta, width);
  printer.drawLine();

  for (const item of layout.items) {
    for (const text of pair(printable(item.name), printable(`${item.amount} ${item.taxCode}`), width)) printer.println(text);
    if (item.detail) for (const text of wrap(printable(item.detail), width - 2)) printer.println(`  ${text}`);
    if (item.discount) {
      for (const text of pair(printable(item.discount.label), `${printable(item.discount.value)}  `, width, 2))
        printer.println(text);
    }
  }
  printer.drawLine();
  rows(printer, layout.totals, width);
  printer.drawLine();
  rows(printer, layout.tenders, width);
  printer.drawLine();
  printer.println(table(layout.taxHead, width));
  for (const row of layout.taxRows) printer.println(table(row, width));
  printer.newLine();

  printer.alignCenter();
  for (const line of layout.footer) centered(printer, line, width);
  printer.newLine();
  // Human-readable digits under the bars (HRI below), so a return can be typed if the scan fails.
  printer.printBarcode(layout.barcode, code128, { hriPos: 2, hriFont: 0, width: 2, height: 80 });
  printer.newLine();
  printer.alignLeft();
  printer.cut();
  return printer;
}

/** Only the drawer: a no-sale, or a cash sale whose customer wanted no receipt. */
export function drawerJob(target: EscposTarget, timeoutMs = 5000): ThermalPrinter {
  const printer = newJob(target, timeoutMs);
  printer.add(drawerKick);
  return printer;
}

/** A test page: the configured width ruled out, a barcode and a cut, so the setting can be checked by eye. */
export function testJob(target: EscposTarget, shopName: string, timeoutMs = 5000): ThermalPrinter {
  const printer = newJob(target, timeoutMs);
  printer.alignCenter();
  printer.bold(true);
  centered(printer, 'Tilldesk test print', target.width);
  printer.bold(false);
  centered(printer, shopName, target.width);
  centered(printer, `${target.host}:${target.port}, ${target.width} columns`, target.width);
  printer.alignLeft();
  printer.println('1234567890'.repeat(5).slice(0, target.width));
  printer.drawLine();
  printer.alignCenter();
  printer.printBarcode('TEST-0123', code128, { hriPos: 2, hriFont: 0, width: 2, height: 80 });
  printer.newLine();
  printer.cut();
  return printer;
}

/**
 * Sends a built job over TCP. Any failure — refused, unreachable, timed out — is one clear
 * error; the caller has already committed the sale, so a reprint can follow.
 */
export async function send(printer: ThermalPrinter, target: EscposTarget): Promise<void> {
  try {
    await printer.execute();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TillError(
      'unavailable',
      'printer_unreachable',
      `The receipt printer at ${target.host}:${target.port} is not answering (${why})`,
      { host: target.host, port: target.port },
    );
  }
}
