import type { appOperations } from '../shared/app.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export interface Runtime {
  transport: 'ipc' | 'http';
  /** The app's version as packaged (package.json's, or Electron's app.getVersion()). */
  version: string;
}

export function appHandlers(till: Till, runtime: Runtime): HandlersFor<typeof appOperations> {
  const { store } = till;
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
