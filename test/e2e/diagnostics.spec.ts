/**
 * A manager exports diagnostics from Settings in the real UI (browser mode): the page says
 * where the file went, the file is there, and the system’s tar reads its report; the Updates
 * panel says what browser mode does about updates.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { expect, test } from './fixtures.ts';

test('a manager exports diagnostics from Settings and sees where the file went', async ({ till, page }) => {
  await till.openShop();
  await page.getByRole('button', { name: en.nav.settings }).click();
  await expect(page.getByRole('heading', { name: en.diagnostics.title })).toBeVisible();
  await page.getByRole('button', { name: en.diagnostics.export }).click();

  const shown = page.getByTestId('diagnostics-path');
  await expect(shown).toContainText(join(till.dataDir, 'diagnostics'));
  const file = (await shown.textContent()) ?? '';
  expect(file).toMatch(/tilldesk-diagnostics-\d{8}-\d{6}\.tar\.gz$/);
  expect(existsSync(file)).toBe(true);
  const report = JSON.parse(execFileSync('tar', ['-xzOf', file, '--wildcards', '*/report.json'], { encoding: 'utf8' }));
  expect(report.app).toMatchObject({ name: 'Tilldesk', transport: 'http' });
  expect(report.store).toMatchObject({ ok: true, integrityCheck: ['ok'] });
  expect(report.settings.shopName).toBe('Corner Shop');
  expect(till.pageErrors).toEqual([]);
});

test('Settings → Updates says plainly that browser mode does not update itself', async ({ till, page }) => {
  await till.openShop();
  await page.getByRole('button', { name: en.nav.settings }).click();
  const panel = page.getByRole('region', { name: en.updates.title });
  await expect(panel.getByRole('status')).toContainText('This copy does not update itself (browser mode)');
  await expect(panel.getByText(en.updates.policy)).toBeVisible();
  // Nothing to check or install here: the buttons would only answer "desktop only".
  await expect(panel.getByRole('button')).toHaveCount(0);
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/en/settings-updates.png' });
  expect(till.pageErrors).toEqual([]);
});
