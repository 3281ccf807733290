import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { IntegrityReport } from '../shared/backup.ts';
import { refuseDamagedFile, StoreProblemError } from './integrity.ts';
import { recordReport } from './integrity-check.ts';
import { loadMigrations, migrate, refuseNewer } from './migrate.ts';

export interface StoreOptions {
  /** Folder that holds tilldesk.db (the user-data folder in Electron). */
  dataDir: string;
  migrationsDir?: string;
  /**
   * `at-open` (tools and tests): the full quick_check before returning. `later`: only the
   * cheap checks; the caller runs the full one in the background (checkInBackground), as a
   * till does so it starts in a second whatever the store's size.
   */
  quickCheck?: 'at-open' | 'later';
}

export interface Store {
  db: Database.Database;
  dataDir: string;
  path: string;
  schemaVersion: number;
  /** One line for app.health: "ok", "waiting"/"checking", or the state and the problems found (never repaired). */
  integrity: string;
  /** The full quick_check's report. */
  check: IntegrityReport;
  close(): void;
}

export const databaseFileName = 'tilldesk.db';

/**
 * Opens (creating if needed) a till's store with the production pragmas of DESIGN.md §3.
 * A file that is not a database, is cut short or has a damaged schema is refused with a
 * StoreProblemError before anything is written to it.
 */
export function openStore(options: StoreOptions): Store {
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, databaseFileName);
  refuseDamagedFile(path);
  const db = new Database(path);
  try {
    const migrations = loadMigrations(options.migrationsDir);
    refuseNewer(db, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Reading the schema's own pages finds a file cut short or a scribbled schema, in a millisecond.
    const schema = db.pragma('quick_check(sqlite_schema)', { simple: true });
    if (schema !== 'ok') throw new StoreProblemError({ problem: 'damaged', detail: String(schema) });
    const startedAt = new Date().toISOString();
    const problems =
      options.quickCheck === 'later' ? [] : (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    const schemaVersion = migrate(db, migrations);
    const store: Store = {
      db,
      dataDir: options.dataDir,
      path,
      schemaVersion,
      integrity: 'waiting',
      check: { state: 'waiting', problems: [], startedAt: null, finishedAt: null },
      close: () => db.close(),
    };
    if (options.quickCheck !== 'later') {
      const ok = problems.length === 1 && problems[0] === 'ok';
      const finishedAt = new Date().toISOString();
      recordReport(store, { state: ok ? 'ok' : 'damaged', problems: ok ? [] : problems, startedAt, finishedAt });
    }
    return store;
  } catch (error) {
    db.close();
    throw error;
  }
}
