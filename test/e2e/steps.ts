/** Steps every till spec takes the same way: sign in at the keypad screen, scan a barcode. */
import type { Page } from '@playwright/test';

/**
 * A keyboard-wedge scanner: the code's keystrokes and Enter in one burst at whatever has
 * focus. Dispatched inside the page, because Playwright's one-IPC-per-key typing on a busy
 * 2-core machine can stretch the gaps past the detector's 40 ms and read as typing; the
 * detector's timing rules are unit-tested on their own (test/unit/scanner.test.ts).
 */
export async function scan(page: Page, code: string): Promise<void> {
  await page.evaluate((text) => {
    const target = document.activeElement ?? document.body;
    for (const key of [...text, 'Enter']) {
      target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }
  }, code);
}

/** Taps a name on the sign-in screen and enters the PIN. */
export async function signIn(page: Page, name: string, pin: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(name) }).click();
  await page.locator('#pin').fill(pin);
  await page.keyboard.press('Enter');
}
