/**
 * Receipts on system printers, for the desktop app. The renderer mounts the receipt for
 * printing before it asks (receipt.css shows only that copy on paper), so printing the
 * window prints the receipt: silently to the chosen printer, or into a PDF when no printer
 * takes it. ESC/POS printers never come here: db/escpos.ts drives them under plain Node.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebContents } from 'electron';
import type { Handlers } from '../db/dispatch.ts';
import type { Till } from '../db/till.ts';
import type { PrintResult } from '../shared/receipt.ts';

const mmToInches = (mm: number) => mm / 25.4;

/** Prints the page silently; resolves with the driver's verdict instead of throwing. */
export function printSilently(contents: WebContents, deviceName: string | undefined): Promise<{ ok: boolean; reason: string }> {
  return new Promise((resolve) => {
    contents.print(
      { silent: true, printBackground: false, margins: { marginType: 'none' }, ...(deviceName ? { deviceName } : {}) },
      (ok, reason) => resolve({ ok, reason }),
    );
  });
}

/** The receipt as an 80 mm wide PDF in `folder`, named after the order; returns its path. */
export async function saveReceiptPdf(contents: WebContents, folder: string, number: string): Promise<string> {
  const pdf = await contents.printToPDF({
    pageSize: { width: mmToInches(80), height: mmToInches(297) },
    margins: { top: 0, bottom: 0, left: 0, right: 0 },
    printBackground: false,
  });
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${number.replace(/[^A-Za-z0-9-]/g, '_')}.pdf`);
  writeFileSync(path, pdf);
  return path;
}

export interface ReceiptPrintingOptions {
  till: Till;
  /** The window whose page holds the receipt to print. */
  contents: () => WebContents | null;
  /** Where receipts go when no printer takes them (the user-data folder's receipts/). */
  pdfFolder: string;
  defaults: Handlers;
}

/**
 * The Electron 'receipt.print': the store's own handler checks the order and the staff member
 * and records copies; when it leaves a system printer's job to the page, the main process
 * prints the page itself — and saves a PDF rather than lose a receipt the printer refused.
 */
export function receiptPrintOverride(options: ReceiptPrintingOptions): Handlers['receipt.print'] {
  const { till, defaults } = options;
  return async (input): Promise<PrintResult> => {
    const result = await defaults['receipt.print'](input);
    const contents = options.contents();
    const { printer } = till.settings();
    if (result.printed || result.fallback !== 'browser' || printer.kind !== 'system' || !contents) return result;
    const printed = await printSilently(contents, printer.deviceName);
    if (printed.ok) return { printed: true };
    console.error(`[tilldesk] silent print failed (${printed.reason}); saving the receipt as a PDF`);
    const receipt = await defaults['receipt.get']({ orderId: input.orderId, copy: input.copy });
    return { printed: false, fallback: 'pdf', path: await saveReceiptPdf(contents, options.pdfFolder, receipt.number) };
  };
}
