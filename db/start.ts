import { createTillApi, type TillApiOptions } from './api.ts';
import type { Runtime } from './app.ts';
import { scheduleBackups } from './backup.ts';
import type { Api } from './dispatch.ts';
import { openStore, type Store } from './store.ts';
import type { TokenVault } from './sync.ts';
import { startSync } from './sync-client.ts';
import { openTill, type Till } from './till.ts';

export interface StartOptions {
  dataDir: string;
  migrationsDir?: string;
  runtime: Runtime;
  /** Where the sync server's device token is kept (Electron: safeStorage). */
  vault?: (till: Till) => TokenVault;
  overrides?: TillApiOptions['overrides'];
  log?: (message: string, error?: unknown) => void;
}

export interface RunningTill {
  store: Store;
  till: Till;
  api: Api;
  /** Stops backups and sync (finishing a push in flight) and closes the store. */
  stop(): Promise<void>;
}

/**
 * Everything a till process does at start, the same for Electron's main process and the
 * browser host: open the store, schedule backups, start the sync loop, build the API.
 */
export function startTill(options: StartOptions): RunningTill {
  const log = options.log ?? ((message, error) => console.error(`[tilldesk] ${message}`, error ?? ''));
  const store = openStore({
    dataDir: options.dataDir,
    ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
  });
  const till = openTill(store);
  const stopBackups = scheduleBackups(till, (error) => log('scheduled backup failed:', error));
  const sync = startSync(till, options.vault ? { vault: options.vault(till) } : {});
  const api = createTillApi(till, options.runtime, {
    onInternalError: (name, error) => log(`${name} failed:`, error),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  return {
    store,
    till,
    api,
    async stop() {
      stopBackups();
      await sync.stop();
      store.close();
    },
  };
}
