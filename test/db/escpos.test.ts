/**
 * The ESC/POS path, byte for byte. Physical printers are the one boundary these tests cannot
 * reach: a real TCP listener on 127.0.0.1 stands in for the thermal printer's port 9100 and
 * captures exactly what a printer would receive.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { columns, drawerKick, pair, printable, wrap } from '../../db/escpos.ts';
import { writeSettings } from '../../db/settings.ts';
import { formatMoney } from '../../shared/money.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop | undefined;
let printer: FakePrinter | undefined;
afterEach(async () => {
  shop?.close();
  shop = undefined;
  await printer?.close();
  printer = undefined;
});

interface FakePrinter {
  port: number;
  /** Every job received so far, one Buffer per connection, once the connection has closed. */
  jobs: Buffer[];
  /** Resolves when `count` jobs have arrived. */
  waitForJobs(count: number): Promise<Buffer[]>;
  close(): Promise<void>;
}

async function fakePrinter(): Promise<FakePrinter> {
  const jobs: Buffer[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      jobs.push(Buffer.concat(chunks));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return {
    port: address.port,
    jobs,
    async waitForJobs(count) {
      while (jobs.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return jobs;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const p = await fakePrinter();
  await p.close();
  return p.port;
}

/** Text as a PC858 printer receives it: ASCII as is, € at 0xD5 and × at 0x9E (the two non-ASCII signs used here). */
function asPrinted(text: string): Buffer {
  return Buffer.from(printable(text).replace(/€/g, '\xd5').replace(/×/g, '\x9e'), 'latin1');
}

function contains(job: Buffer, bytes: Buffer | number[]): boolean {
  return job.indexOf(Buffer.from(bytes)) >= 0;
}

const cut = [0x1d, 0x56, 0x00];

async function cashSale(s: Shop): Promise<Order> {
  await s.ok('sale.scan', { code: '4006381333931' });
  await s.ok('sale.scan', { code: '4006381333931' });
  await s.ok('sale.addItem', { productId: s.products.soap });
  await s.ok('sale.addItem', { productId: s.products.apples, quantity: 1250 });
  return s.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 2000 }] });
}

describe('ESC/POS receipts over TCP', () => {
  it('prints the receipt: init, header, lines, total, CODE128 order number, cut, and the drawer for the cash sale', async () => {
    printer = await fakePrinter();
    shop = makeShop();
    writeSettings(shop.till.store, { printer: { kind: 'escpos', host: '127.0.0.1', port: printer.port, width: 42 } });
    const sale = await cashSale(shop);

    expect(await shop.ok('receipt.print', { orderId: sale.id })).toEqual({ printed: true });
    const [job = Buffer.alloc(0)] = await printer.waitForJobs(1);
    console.log(`receipt job: ${job.length} bytes`);

    expect([...job.subarray(0, 2)]).toEqual([0x1b, 0x40]); // ESC @ first: a clean printer state
    expect(contains(job, [0x1b, 0x74, 19])).toBe(true); // ESC t 19: code page PC858 (with €)
    expect(contains(job, asPrinted('Corner Shop'))).toBe(true);
    for (const name of ['Oat Milk 1L', 'Hand Soap 250ml', 'Apples (kg)']) expect(contains(job, asPrinted(name))).toBe(true);
    const euro = (minor: number) => formatMoney(minor, 'EUR', 'en-IE');
    expect(contains(job, asPrinted(`2 × ${euro(199)}`))).toBe(true);
    // The total on one 42-column line: label left, amount right.
    const total = `TOTAL${' '.repeat(42 - 'TOTAL'.length - euro(sale.total).length)}${euro(sale.total)}`;
    expect(contains(job, asPrinted(total))).toBe(true);
    expect(contains(job, asPrinted(`Change${' '.repeat(42 - 6 - euro(953).length)}${euro(953)}`))).toBe(true);
    // GS k 73 (CODE128), length, {B (code set B), then the order number itself.
    const number = Buffer.from(sale.number ?? '', 'ascii');
    expect(contains(job, Buffer.concat([Buffer.from([0x1d, 0x6b, 73, number.length + 2, 0x7b, 0x42]), number]))).toBe(true);
    expect(contains(job, cut)).toBe(true);
    expect(job.indexOf(Buffer.from(cut))).toBeGreaterThan(job.indexOf(number));
    // The cash sale just taken opens the drawer: ESC p with both timing bytes.
    expect(contains(job, drawerKick)).toBe(true);
    expect(contains(job, [0x1b, 0x70])).toBe(true);

    // Reprint from history: marked COPY, on record, and the drawer stays shut.
    expect(await shop.ok('receipt.print', { orderId: sale.id, copy: true })).toEqual({ printed: true });
    const [, copy = Buffer.alloc(0)] = await printer.waitForJobs(2);
    expect(contains(copy, asPrinted('*** COPY ***'))).toBe(true);
    expect(contains(copy, [0x1b, 0x70])).toBe(false);
    expect(contains(copy, number)).toBe(true);
    // The original printed again does not open the drawer twice for one sale either.
    await shop.ok('receipt.print', { orderId: sale.id });
    const [, , again = Buffer.alloc(0)] = await printer.waitForJobs(3);
    expect(contains(again, [0x1b, 0x70])).toBe(false);
    expect(contains(job.subarray(2), asPrinted('*** COPY ***'))).toBe(false);
  });

  it('opens the drawer only for a reason just recorded: a cash sale without a receipt, or a no-sale', async () => {
    printer = await fakePrinter();
    let now = new Date('2025-03-14T09:00:00.000Z');
    shop = makeShop({ now: () => now });
    writeSettings(shop.till.store, { printer: { kind: 'escpos', host: '127.0.0.1', port: printer.port, width: 32 } });

    // Nothing happened yet: the drawer stays shut and nothing is sent.
    expect((await shop.fails('printer.kickDrawer', {})).reason).toBe('drawer_needs_reason');
    await cashSale(shop);
    expect(await shop.ok('printer.kickDrawer', {})).toEqual({ opened: true });
    const [kick = Buffer.alloc(0)] = await printer.waitForJobs(1);
    expect([...kick]).toEqual([0x1b, 0x40, 0x1b, 0x74, 19, ...drawerKick]);
    // One sale, one opening.
    expect((await shop.fails('printer.kickDrawer', {})).reason).toBe('drawer_needs_reason');

    // A no-sale (a manager's, audited by the shift) opens it once more; three minutes on, it does not.
    await shop.ok('shift.noSale', { reason: 'Change for the float', override: { staffId: shop.manager, pin: '2222' } });
    now = new Date(now.getTime() + 3 * 60_000);
    expect((await shop.fails('printer.kickDrawer', {})).reason).toBe('drawer_needs_reason');
    await shop.ok('shift.noSale', { reason: 'Change for the float', override: { staffId: shop.manager, pin: '2222' } });
    expect(await shop.ok('printer.kickDrawer', {})).toEqual({ opened: true });
    await printer.waitForJobs(2);
    expect(printer.jobs).toHaveLength(2);

    // A system printer has no drawer on its cable: nothing to open, no error.
    writeSettings(shop.till.store, { printer: { kind: 'system' } });
    expect(await shop.ok('printer.kickDrawer', {})).toEqual({ opened: false });
  });

  it('a printer that does not answer is a clear error, the sale stays completed, and the reprint works later', async () => {
    const port = await deadPort();
    shop = makeShop();
    writeSettings(shop.till.store, { printer: { kind: 'escpos', host: '127.0.0.1', port, width: 48 } });
    const sale = await cashSale(shop);

    const error = await shop.fails('receipt.print', { orderId: sale.id });
    expect(error).toMatchObject({ code: 'unavailable', reason: 'printer_unreachable', params: { host: '127.0.0.1', port } });
    // A copy that never reached paper is not on record: the refused call left the store as it was.
    expect((await shop.fails('receipt.print', { orderId: sale.id, copy: true })).reason).toBe('printer_unreachable');
    const till = shop.till;
    const copies = () =>
      (till.db.prepare("SELECT count(*) AS n FROM audit WHERE action = 'receipt.copy'").get() as { n: number }).n;
    expect(copies()).toBe(0);
    expect((await shop.fails('printer.test', {})).reason).toBe('printer_unreachable');
    const kept = await shop.ok<Order>('sale.order', { id: sale.id });
    expect(kept.state).toBe('completed');
    expect(kept.tenders).toEqual(sale.tenders);

    // The printer comes back (here: a new address in the settings) and the receipt prints.
    printer = await fakePrinter();
    writeSettings(shop.till.store, { printer: { kind: 'escpos', host: '127.0.0.1', port: printer.port, width: 48 } });
    expect(await shop.ok('receipt.print', { orderId: sale.id })).toEqual({ printed: true });
    const [job = Buffer.alloc(0)] = await printer.waitForJobs(1);
    expect(contains(job, Buffer.from(sale.number ?? '', 'ascii'))).toBe(true);
    // The drawer did not open with the failed print, so it opens with the one that worked.
    expect(contains(job, drawerKick)).toBe(true);
    expect(await shop.ok('receipt.print', { orderId: sale.id, copy: true })).toEqual({ printed: true });
    expect(copies()).toBe(1);
    await printer.waitForJobs(2);

    expect(await shop.ok('printer.test', {})).toEqual({ printed: true });
    const [, , test = Buffer.alloc(0)] = await printer.waitForJobs(3);
    expect(contains(test, asPrinted('Tilldesk test print'))).toBe(true);
    expect(contains(test, asPrinted('1234567890'.repeat(5).slice(0, 48)))).toBe(true);
    expect(contains(test, cut)).toBe(true);
  });

  it('refuses printer settings that are not a printer address', async () => {
    shop = makeShop();
    signIn(shop.till, shop.owner);
    for (const printerSetting of [
      { kind: 'escpos', host: 'printer; rm -rf /', port: 9100, width: 42 },
      { kind: 'escpos', host: '10.0.0.5', port: 70000, width: 42 },
      { kind: 'escpos', host: '10.0.0.5', port: 9100, width: 40 },
      { kind: 'laser' },
    ]) {
      expect((await shop.fails('settings.update', { printer: printerSetting })).code).toBe('invalid_input');
    }
    const saved = await shop.ok<{ printer: unknown }>('settings.update', {
      printer: { kind: 'escpos', host: 'till-printer.local', width: 42 },
    });
    expect(saved.printer).toEqual({ kind: 'escpos', host: 'till-printer.local', port: 9100, width: 42 });
  });
});

describe('receipt text on a narrow roll', () => {
  it('keeps every line within the paper, wrapping long names and counting Chinese characters as two columns', () => {
    expect(columns('Oat Milk')).toBe(8);
    expect(columns('燕麦奶')).toBe(6);
    for (const width of [32, 42, 48]) {
      const lines = pair('Organic Free-Range Extra Large Brown Eggs (box of twelve)', '€12.34 A', width);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(width);
      expect(lines.at(-1)?.endsWith('€12.34 A')).toBe(true);
      const chinese = pair('有机散养特大号褐壳鸡蛋十二枚装礼盒', '¥1,234', width);
      for (const line of chinese) expect(columns(line)).toBeLessThanOrEqual(width);
      expect(chinese.join('').replace(/ /g, '')).toBe('有机散养特大号褐壳鸡蛋十二枚装礼盒¥1,234');
    }
    expect(wrap('Supercalifragilisticexpialidocious', 10).every((l) => l.length <= 10)).toBe(true);
    expect(printable('1\u202f234,50\u00a0€ ￥100 −5')).toBe('1 234,50 € ¥100 -5');
  });
});
