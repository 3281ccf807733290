/**
 * A till enrolled with a real sync server (PGlite in a temp folder, over real HTTP) keeps
 * selling while the server is down, then drains its queue to zero once it is back.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { en } from '../../renderer/src/i18n/en.ts';
import { expect, root, test } from './fixtures.ts';
import { scan, signIn } from './steps.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TILLDESK_SERVER_DATA: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [join(root, 'server/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sync server did not start')), 60_000);
    const check = (chunk: Buffer) => {
      if (String(chunk).includes(`${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`sync server exited ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function admin(dataDir: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TILLDESK_SERVER_DATA: dataDir };
  delete env.DATABASE_URL;
  return execFileSync(process.execPath, [join(root, 'server/admin.ts'), ...args], { cwd: root, env, encoding: 'utf8' });
}

test('a till sells offline while the server is down and drains to zero when it is back', async ({ till, page }) => {
  test.setTimeout(180_000);
  const serverData = mkdtempSync(join(tmpdir(), 'tilldesk-server-'));
  const port = await freePort();
  admin(serverData, 'create-store', '--id', 'corner', '--name', 'Corner Shop', '--currency', 'EUR');
  const { code } = JSON.parse(admin(serverData, 'create-code', '--store', 'corner', '--name', 'Till 1', '--json')) as {
    code: string;
  };
  let server = await startServer(serverData, port);
  try {
    expect((await till.call('setup.demo', { products: 200 })).ok).toBe(true);
    const staff = await till.call('staff.list', {});
    const owner = staff.ok ? staff.value.find((s) => s.role === 'owner') : undefined;
    await till.call('staff.signIn', { staffId: owner?.id ?? '', pin: '1234' });
    const found = await till.call('catalog.search', { query: 'Milk', limit: 20 });
    const milk = found.ok ? found.value.find((p) => p.unit === 'each' && p.barcode) : undefined;
    await page.goto(till.url);

    // The owner enrols the till in Settings.
    await page.getByRole('button', { name: en.nav.settings }).click();
    await page.locator('#sync-url').fill(`http://127.0.0.1:${port}`);
    await page.locator('#sync-code').fill(code);
    await page.getByRole('button', { name: en.settingsDesk.enrol }).click();
    const indicator = page.getByTestId('sync-indicator');
    await expect(indicator).toContainText(en.status.online);
    await page.screenshot({ path: 'test-results/screenshots/en/sync-enrolled.png' });

    // The server goes away; the till does not notice at the counter.
    await stopServer(server);
    await page.getByRole('button', { name: en.header.lock }).click();
    await signIn(page, 'Ada Cashier', '1111');
    await page.locator('#float').fill('100');
    await page.keyboard.press('Enter');
    await expect(page.locator('#product-search')).toBeVisible();
    const lines = page.getByRole('table', { name: en.till.lines });
    for (let sale = 0; sale < 3; sale++) {
      await scan(page, milk?.barcode ?? '');
      await expect(lines.getByRole('row')).toHaveCount(2);
      await page.keyboard.press('F12');
      await page.getByRole('dialog', { name: en.pay.title }).locator('#tender-amount').fill('20');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: en.receipt.noReceipt }).click();
    }
    await expect(indicator).toContainText(en.status.offline, { timeout: 30_000 });
    await expect.poll(async () => Number(await indicator.getAttribute('data-waiting'))).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: 'test-results/screenshots/en/sync-offline.png' });

    // Back on: the queue drains to zero by itself (backoff with jitter, at most a minute here).
    server = await startServer(serverData, port);
    await expect.poll(async () => Number(await indicator.getAttribute('data-waiting')), { timeout: 90_000 }).toBe(0);
    await expect(indicator).toContainText(en.status.online);
    await page.screenshot({ path: 'test-results/screenshots/en/sync-drained.png' });
    const status = await till.call('sync.status', {});
    expect(status.ok && status.value.rejected).toBe(0);
  } finally {
    await stopServer(server);
    rmSync(serverData, { recursive: true, force: true });
  }
});
