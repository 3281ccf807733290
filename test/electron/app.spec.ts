/**
 * The desktop shell itself, launched with Playwright's Electron support where an Electron
 * binary exists (ELECTRON_OVERRIDE_DIST_PATH, or one downloaded into node_modules/electron).
 * Elsewhere it says plainly that it was skipped and why. Needs `npm run build` first.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What the preload puts on window (see electron/preload.ts). */
type Preloaded = { tilldesk: { ops: Record<string, ((input: unknown) => Promise<unknown>) | undefined> } };

/** Where the electron package would run from, without its index.js (which downloads when missing). */
function findElectron(): { path: string } | { reason: string } {
  const packageDir = join(root, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, relative ?? (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(path) ? { path } : { reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${path} does not exist` };
  }
  if (!relative) return { reason: 'no Electron binary: node_modules/electron/path.txt is missing (run `npx install-electron`)' };
  const path = join(packageDir, 'dist', relative);
  return existsSync(path) ? { path } : { reason: `no Electron binary at ${path}` };
}

const electronBinary = findElectron();
const mainBundle = join(root, 'dist', 'electron', 'main.cjs');

test('the desktop app: one secure window on app://, the bridge and nothing else', async () => {
  if ('reason' in electronBinary) {
    console.log(`Electron test skipped: ${electronBinary.reason}`);
    test.skip(true, electronBinary.reason);
  }
  if ('reason' in electronBinary) return;
  expect(existsSync(mainBundle), 'run `npm run build` first').toBe(true);

  const userData = mkdtempSync(join(tmpdir(), 'tilldesk-electron-'));
  const app = await electron.launch({
    executablePath: electronBinary.path,
    args: [root, `--user-data-dir=${userData}`],
    cwd: root,
    env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
  });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    expect(page.url()).toMatch(/^app:\/\/tilldesk\//);
    await expect(page).toHaveTitle('Tilldesk');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

    // The store opened in the user-data folder (realpath: macOS's temp folder is behind a symlink).
    expect(realpathSync(await app.evaluate(({ app }) => app.getPath('userData')))).toBe(realpathSync(userData));

    // Context isolation, no Node integration: the page sees the bridge and nothing of Node or Electron.
    const globals = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { require: typeof w.require, process: typeof w.process, bridge: Object.keys(w.tilldesk ?? {}).sort() };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['ops', 'subscribe'] });

    const info = await page.evaluate(() => (window as unknown as Preloaded).tilldesk.ops['app.info']?.({}));
    expect(info).toMatchObject({ ok: true, value: { name: 'Tilldesk', transport: 'ipc' } });
    expect(realpathSync((info as { value: { dataDir: string } }).value.dataDir)).toBe(realpathSync(userData));

    // An unknown operation has no function to call; bad input to a known one gets a typed error.
    const unknown = await page.evaluate(() => {
      try {
        (window as unknown as Preloaded).tilldesk.ops['nope.nothing']?.({});
        return (window as unknown as Preloaded).tilldesk.ops['nope.nothing'] ? 'called' : 'refused';
      } catch {
        return 'refused';
      }
    });
    expect(unknown).toBe('refused');
    const refused = await page.evaluate(() =>
      (window as unknown as Preloaded).tilldesk.ops['settings.update']?.({ language: 'xx' }),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  } finally {
    await app.close();
    rmSync(userData, { recursive: true, force: true });
  }
});
