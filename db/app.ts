import type { Handlers } from './dispatch.ts';
import type { Store } from './store.ts';

export interface Runtime {
  transport: 'ipc' | 'http';
  /** The app's version as packaged (package.json's, or Electron's app.getVersion()). */
  version: string;
}

export function appHandlers(store: Store, runtime: Runtime): Pick<Handlers, 'app.info' | 'app.health'> {
  return {
    'app.info': () => ({
      name: 'Tilldesk',
      version: runtime.version,
      schemaVersion: store.schemaVersion,
      sqliteVersion: (store.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
      dataDir: store.dataDir,
      transport: runtime.transport,
    }),
    'app.health': () => ({
      ok: store.integrity === 'ok',
      integrity: store.integrity,
      journalMode: String(store.db.pragma('journal_mode', { simple: true })),
      synchronous: String(store.db.pragma('synchronous', { simple: true })),
    }),
  };
}
