/**
 * The Electron main process: one window, the app on a custom protocol, every guard of
 * Electron's security checklist, and IPC into the store. Everything else lives in db/.
 */
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { createTillApi } from '../db/api.ts';
import { scheduleBackups } from '../db/backup.ts';
import { openStore, type Store } from '../db/store.ts';
import { openTill } from '../db/till.ts';
import { eventNames } from '../shared/api.ts';
import { contentSecurityPolicy } from '../shared/csp.ts';
import { ipcChannels } from './channels.ts';
import { appOrigin, appScheme, isAppUrl, isVettedExternalUrl, permissionDecision, resolveAppFile } from './guards.ts';
import { handleIpcCall } from './ipc.ts';
import { receiptPrintOverride } from './printing.ts';

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  let store: Store | null = null;

  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  // Guards for every web contents, including any a bug might create.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isVettedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  app.whenReady().then(() => {
    const appDir = app.getAppPath();
    const rendererDir = join(appDir, 'dist', 'renderer');
    store = openStore({ dataDir: app.getPath('userData'), migrationsDir: join(appDir, 'db', 'migrations') });
    const till = openTill(store);
    scheduleBackups(till, (error) => console.error('[tilldesk] scheduled backup failed:', error));
    const api = createTillApi(
      till,
      { transport: 'ipc', version: app.getVersion() },
      {
        onInternalError: (name, error) => console.error(`[tilldesk] ${name} failed:`, error),
        // System printers are Electron's business: print the window silently (or to PDF).
        overrides: (defaults) => ({
          'receipt.print': receiptPrintOverride({
            till,
            defaults,
            contents: () => window?.webContents ?? null,
            pdfFolder: join(app.getPath('userData'), 'receipts'),
          }),
        }),
      },
    );

    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
    session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));

    protocol.handle(appScheme, async (request) => {
      const file = resolveAppFile(request.url, rendererDir, join, sep);
      if (!file) return new Response('Not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', contentSecurityPolicy);
      headers.set('X-Content-Type-Options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });

    ipcMain.handle(ipcChannels.call, (event, name: unknown, input: unknown) =>
      handleIpcCall(api, { url: event.senderFrame?.url, isMainFrame: event.senderFrame === event.sender.mainFrame }, name, input),
    );

    window = new BrowserWindow({
      width: 1280,
      height: 800,
      minWidth: 1024,
      minHeight: 700,
      title: 'Tilldesk',
      show: false,
      webPreferences: {
        preload: join(__dirname, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        spellcheck: false,
      },
    });
    for (const name of eventNames) {
      api.subscribe(name, (payload) => window?.webContents.send(ipcChannels.event, name, payload));
    }
    window.once('ready-to-show', () => window?.show());
    void window.loadURL(`${appOrigin}/`);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => store?.close());
}
