/**
 * The Electron main process: one window, the app on a custom protocol, every guard of
 * Electron's security checklist, and IPC into the store. Everything else lives in db/.
 */
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { openTillLog } from '../db/log.ts';
import { type StartedTill, startTill } from '../db/start.ts';
import type { Till } from '../db/till.ts';
import { saleInProgress } from '../db/update.ts';
import { eventNames } from '../shared/api.ts';
import { contentSecurityPolicy } from '../shared/csp.ts';
import { ipcChannels } from './channels.ts';
import { appOrigin, appScheme, isAppUrl, isVettedExternalUrl, permissionDecision, resolveAppFile } from './guards.ts';
import { handleIpcCall } from './ipc.ts';
import { receiptPrintOverride } from './printing.ts';
import { safeStorageVault } from './token-vault.ts';
import { type RunningUpdates, startUpdates } from './updater.ts';

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  let running: StartedTill | null = null;
  let updates: RunningUpdates | null = null;
  // The till the API serves now (a restore from backup replaces it): the updater asks it whether a sale is open.
  let currentTill: Till | null = null;

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
    const log = openTillLog({ dataDir: app.getPath('userData') });
    log.info('app starting', { version: app.getVersion(), electron: process.versions.electron });
    app.on('render-process-gone', (_event, _contents, details) => log.error('renderer gone', { ...details }));
    updates = startUpdates(() => (currentTill ? saleInProgress(currentTill) : false), log.failure);
    // A store that cannot be opened starts in recovery: the window shows what happened and restores a backup.
    running = startTill({
      dataDir: app.getPath('userData'),
      log: log.failure,
      migrationsDir: join(appDir, 'db', 'migrations'),
      runtime: { transport: 'ipc', version: app.getVersion() },
      vault: safeStorageVault,
      // System printers are Electron's business: print the window silently (or to PDF).
      // Updates are the packaged app's (electron-updater); unpackaged, the store's defaults answer.
      overrides: (defaults, till) => {
        currentTill = till;
        return {
          'receipt.print': receiptPrintOverride({
            till,
            defaults,
            contents: () => window?.webContents ?? null,
            pdfFolder: join(app.getPath('userData'), 'receipts'),
          }),
          ...updates?.handlers,
        };
      },
    });
    const { api } = running;

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
        // A middle click must not open a link in a new window (electronegativity AUXCLICK_JS_CHECK).
        disableBlinkFeatures: 'Auxclick',
      },
    });
    for (const name of eventNames) {
      api.subscribe(name, (payload) => window?.webContents.send(ipcChannels.event, name, payload));
    }
    window.once('ready-to-show', () => window?.show());
    void window.loadURL(`${appOrigin}/`);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    updates?.stop();
    if (!running) return;
    // Let a push in flight finish and the store close cleanly, then quit for real.
    event.preventDefault();
    const stopping = running;
    running = null;
    void stopping.stop().finally(() => app.quit());
  });
}
