/**
 * Receipts in Chromium through browser mode: after a cash sale the till shows the change and
 * the receipt, prints it (browser print with a print stylesheet that shows only the receipt),
 * then prints to an ESC/POS printer over TCP, survives that printer going away, and reprints.
 * Physical printers are the one boundary we cannot reach: a TCP listener on 127.0.0.1 in this
 * test stands in for the thermal printer's port 9100, and checks the bytes the host sends it.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { receiptWords } from '../../shared/receipt.ts';
import { expect, type TillHost, test } from './fixtures.ts';
import { scan } from './steps.ts';

/** Scans and waits until the sale in the store holds `units` items. */
async function scanItem(page: Page, till: TillHost, code: string, units: number) {
  const inSale = async () => {
    const current = await till.call('sale.current', {});
    return current.ok && current.value ? current.value.lines.reduce((sum, line) => sum + line.quantity, 0) / 1000 : 0;
  };
  await scan(page, code);
  await expect.poll(inSale).toBe(units);
}

interface Scannable {
  name: string;
  price: number;
  barcode: string;
  rateBp: number;
}

/** A product a scanner can ring up (EAN-13 outside the price/weight-embedded prefixes, sold each, ASCII name), at a standard or a lower tax rate. */
function scannable(dataDir: string, standard: boolean): Scannable {
  const db = new Database(join(dataDir, 'tilldesk.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT p.name, p.price, b.code AS barcode, t.rate_bp AS rateBp
         FROM product p JOIN barcode b ON b.product_id = p.id JOIN tax_class t ON t.id = p.tax_class_id
         WHERE p.unit = 'each' AND p.active = 1 AND length(b.code) = 13 AND substr(b.code, 1, 2) NOT IN ('21', '22')
           AND p.price BETWEEN 50 AND 1500 AND p.name NOT GLOB '*[^ -~]*' AND (t.rate_bp = 2000) = ?
         ORDER BY p.rowid LIMIT 1`,
      )
      .get(standard ? 1 : 0) as Scannable | undefined;
    if (!row) throw new Error(`The demo catalog has no scannable product (standard rate: ${standard})`);
    return row;
  } finally {
    db.close();
  }
}

/** The stand-in thermal printer: every connection's bytes, once it closes. */
async function listenLikeAPrinter(): Promise<{ port: number; jobs: Buffer[]; close(): Promise<void> }> {
  const jobs: Buffer[] = [];
  const server: Server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => jobs.push(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return { port: address.port, jobs, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function payCash(page: Page, amount: string) {
  await expect(page.getByRole('button', { name: new RegExp(`^${en.till.pay}`) })).toBeEnabled();
  await page.keyboard.press('F12');
  const pay = page.getByRole('dialog', { name: en.pay.title });
  await expect(pay).toBeVisible();
  await pay.locator('#tender-amount').fill(amount);
  await page.keyboard.press('Enter');
}

test('after a cash sale: change, an 80 mm receipt, browser print, ESC/POS print, a dead printer and a reprint', async ({
  till,
  page,
}) => {
  test.setTimeout(90_000);
  // The browser's print dialog is counted rather than opened; what it would print is checked with print media.
  await page.addInitScript(() => {
    const w = window as unknown as { printed: number; print: () => void };
    w.printed = 0;
    w.print = () => {
      w.printed += 1;
    };
  });
  const demo = await till.call('setup.demo', { products: 200 });
  expect(demo.ok).toBe(true);
  // Shop settings are the owner's: these arranging calls carry her PIN as an override.
  const staff = await till.call('staff.list', {});
  const override = { staffId: (staff.ok && staff.value.find((s) => s.role === 'owner')?.id) || '', pin: '1234' };
  await till.call('staff.signIn', { staffId: override.staffId, pin: override.pin });
  const shopSet = await till.call('settings.update', {
    shopAddress: '1 Market Street\nDublin D02 X285',
    receiptFooter: 'Thank you for shopping with us!\nReturns within 30 days with this receipt.',
  });
  expect(shopSet.ok).toBe(true);
  await till.call('staff.signOut', {});
  const milk = scannable(till.dataDir, false);
  const water = scannable(till.dataDir, true);

  // Through the UI, as a cashier: sign in, float, scan at wedge speed, pay cash.
  await page.goto(till.url);
  await page.getByRole('button', { name: /Ada Cashier/ }).click();
  await page.locator('#pin').fill('1111');
  await page.keyboard.press('Enter');
  await page.locator('#float').fill('100.00');
  await page.keyboard.press('Enter');
  await expect(page.locator('#product-search')).toBeVisible();
  await scanItem(page, till, milk.barcode, 1);
  await scanItem(page, till, milk.barcode, 2);
  await scanItem(page, till, water.barcode, 3);
  await payCash(page, '100.00');

  const sale = page.getByRole('dialog', { name: /Sale T01-\d{6} complete/ });
  await expect(sale).toBeVisible();
  const number = (await sale.getAttribute('aria-label'))?.match(/T01-\d{6}/)?.[0] ?? '';
  const stored = await till.call('sale.byNumber', { number });
  if (!stored.ok) throw new Error(`sale ${number} not stored`);
  const total = milk.price * 2 + water.price;
  expect(stored.value.total).toBe(total);
  const euro = (minor: number) => new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' }).format(minor / 100);

  // The change, big, beside the receipt as it will print.
  await expect(sale.getByTestId('receipt-change')).toContainText(euro(10000 - total));
  const receipt = sale.getByTestId('receipt');
  await expect(receipt).toContainText('Corner Shop (demo)');
  await expect(receipt).toContainText('Dublin D02 X285');
  await expect(receipt).toContainText(milk.name);
  await expect(receipt).toContainText(`2 × ${euro(milk.price)}`);
  await expect(receipt).toContainText(water.name);
  await expect(receipt).toContainText(euro(total));
  await expect(receipt).toContainText(number);
  await expect(receipt).toContainText('Ada Cashier');
  await expect(receipt).toContainText('Returns within 30 days');
  await expect(receipt.getByRole('table')).toContainText(`A ${milk.rateBp / 100}%`);
  await expect(receipt.getByRole('table')).toContainText('B 20%');
  await expect(sale.getByTestId('receipt-barcode').locator('rect').first()).toBeAttached();
  expect(await sale.getByTestId('receipt-barcode').locator('rect').count()).toBeGreaterThan(20);
  // Enter prints: focus is on Print as soon as the receipt is there.
  const printButton = sale.getByRole('button', { name: en.receipt.print });
  await expect(printButton).toBeFocused();
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: 'test-results/screenshots/en/receipt-dialog.png' });
  // A tall window, so the whole paper (torn edge included) fits its preview for the close-up.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await receipt.screenshot({ path: 'test-results/screenshots/en/receipt.png' });
  await page.setViewportSize({ width: 1280, height: 800 });

  // On paper only the receipt: the app and the dialog are gone from the printed page.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('#root')).toBeHidden();
  await expect(page.locator('.receipt-print-area .receipt')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/en/receipt-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // In browser mode the page's own print takes it (print media hid the button and took its focus: give it back).
  await printButton.focus();
  await page.keyboard.press('Enter');
  await expect(sale).toBeHidden();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
  await expect(page.getByTestId('completed-sale')).toContainText(number);

  // Now a network thermal printer: the drawer opens when the cash sale completes, the receipt prints on request.
  let printer = await listenLikeAPrinter();
  const pointPrinterAt = (port: number) =>
    till.call('settings.update', { override, printer: { kind: 'escpos', host: '127.0.0.1', port, width: 42 } });
  await pointPrinterAt(printer.port);
  await scanItem(page, till, water.barcode, 1);
  await expect(page.getByTestId('completed-sale')).toBeHidden();
  await payCash(page, '20');
  const second = page.getByRole('dialog', { name: /Sale T01-\d{6} complete/ });
  await expect(second).toBeVisible();
  const secondNumber = (await second.getAttribute('aria-label'))?.match(/T01-\d{6}/)?.[0] ?? '';
  expect(secondNumber).not.toBe(number);
  await expect.poll(() => printer.jobs.length).toBe(1);
  expect([...(printer.jobs[0] ?? [])].slice(-5)).toEqual([0x1b, 0x70, 0x00, 0x19, 0xfa]); // ESC p: the drawer, nothing else
  await second.getByRole('button', { name: en.receipt.print }).click();
  await expect(second).toBeHidden();
  await expect.poll(() => printer.jobs.length).toBe(2);
  const job = printer.jobs[1] ?? Buffer.alloc(0);
  expect(job.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
  // A long name wraps at a space to leave room for its price: every word is there.
  for (const word of water.name.split(' ')) expect(job.includes(Buffer.from(word, 'latin1'))).toBe(true);
  expect(
    job.includes(Buffer.concat([Buffer.from([0x1d, 0x6b, 73, secondNumber.length + 2, 0x7b, 0x42]), Buffer.from(secondNumber)])),
  ).toBe(true);
  expect(job.includes(Buffer.from([0x1d, 0x56, 0x00]))).toBe(true);
  expect(job.includes(Buffer.from([0x1b, 0x70]))).toBe(false); // the drawer already opened for this sale

  // The printer goes away: a clear message, the sale stays done, and Try again works once it is back.
  await printer.close();
  await page.getByTestId('completed-sale').getByRole('button', { name: en.receipt.show }).click();
  const again = page.getByRole('dialog', { name: new RegExp(`Sale ${secondNumber} complete`) });
  await again.getByRole('button', { name: en.receipt.print }).click();
  await expect(again.getByRole('alert')).toHaveAttribute('data-reason', 'printer_unreachable');
  await expect(again).toContainText(en.receipt.saleKept);
  const kept = await till.call('sale.byNumber', { number: secondNumber });
  expect(kept.ok && kept.value.state).toBe('completed');
  printer = await listenLikeAPrinter();
  await pointPrinterAt(printer.port);
  await again.getByRole('button', { name: en.receipt.tryAgain }).click();
  await expect(again).toBeHidden();
  await expect.poll(() => printer.jobs.length).toBe(1);
  expect(printer.jobs[0]?.includes(Buffer.from(secondNumber))).toBe(true);
  await printer.close();

  // The same receipt in Chinese, as the till prints it once its language is 简体中文.
  await till.call('settings.update', { override, language: 'zh-CN', printer: { kind: 'system' } });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  // Still Ada's till and shift: the store keeps who is signed in across a reload.
  await expect(page.locator('#product-search')).toBeVisible();
  await scanItem(page, till, milk.barcode, 1);
  await expect(page.getByRole('button', { name: new RegExp(`^${zhCN.till.pay}`) })).toBeEnabled();
  await page.keyboard.press('F12');
  const pay = page.getByRole('dialog', { name: zhCN.pay.title });
  await pay.locator('#tender-amount').fill('20');
  await page.keyboard.press('Enter');
  const zhDialog = page.getByRole('dialog', { name: /T01-\d{6}/ });
  await expect(zhDialog.getByRole('button', { name: zhCN.receipt.print })).toBeVisible();
  const zhReceipt = zhDialog.getByTestId('receipt');
  await expect(zhReceipt).toContainText(receiptWords['zh-CN'].sale);
  await expect(zhReceipt).toContainText(receiptWords['zh-CN'].change);
  await page.evaluate(() => document.fonts.ready);
  await zhReceipt.screenshot({ path: 'test-results/screenshots/zh-CN/receipt.png' });
  // An F-key moves on without a receipt: here, to the parked sales.
  await page.keyboard.press('F10');
  await expect(zhDialog).toBeHidden();
  await expect(page.getByRole('dialog', { name: zhCN.parked.title })).toBeVisible();

  expect(till.pageErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
});
