import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, migrate, refuseNewer } from './migrate.ts';

export interface StoreOptions {
  /** Folder that holds tilldesk.db (the user-data folder in Electron). */
  dataDir: string;
  migrationsDir?: string;
}

export interface Store {
  db: Database.Database;
  dataDir: string;
  path: string;
  schemaVersion: number;
  /** `PRAGMA quick_check` at open: "ok", or the problems found (reported, never repaired). */
  integrity: string;
  close(): void;
}

export const databaseFileName = 'tilldesk.db';

/** Opens (creating if needed) a till's store with the production pragmas of DESIGN.md §3. */
export function openStore(options: StoreOptions): Store {
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, databaseFileName);
  const db = new Database(path);
  try {
    const migrations = loadMigrations(options.migrationsDir);
    refuseNewer(db, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const integrity = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check).join('; ');
    const schemaVersion = migrate(db, migrations);
    return { db, dataDir: options.dataDir, path, schemaVersion, integrity, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
