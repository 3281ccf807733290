import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { TillError } from '../shared/errors.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const fileName = /^(\d{4})-([a-z0-9-]+)\.sql$/;

/** The .sql files: beside this file in source; Electron passes the folder inside its app. */
export function loadMigrations(dir: string = fileURLToPath(new URL('./migrations/', import.meta.url))): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file, index, files) => {
      const match = fileName.exec(file);
      if (!match) throw new Error(`Migration file ${file} must be named NNNN-name.sql`);
      const version = Number(match[1]);
      const previous = index > 0 ? Number(fileName.exec(files[index - 1] ?? '')?.[1]) : 0;
      // Numbers only rise; a gap is allowed (a number given out and not needed), a repeat is not.
      if (version <= previous) throw new Error(`Migration ${file} repeats or goes back from ${previous}`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version, name: match[2] ?? file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
  return migrations;
}

/**
 * Applies pending migrations in one transaction. Refuses a database written by a newer
 * version (never downgrade or damage it) and one whose applied migrations were edited.
 */
/** Refuses a database written by a newer version, before anything (even the journal mode) is changed. */
export function refuseNewer(db: Database.Database, migrations: Migration[]): void {
  const known = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > known) {
    throw new TillError(
      'conflict',
      'newer_database',
      `This data was written by a newer Tilldesk (schema ${current}); this version knows schema ${known}. Install the newer version to open it.`,
      { found: current, known },
    );
  }
}

export function migrate(db: Database.Database, migrations: Migration[]): number {
  refuseNewer(db, migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const known = migrations.at(-1)?.version ?? 0;
  const applied = db.prepare('SELECT version, checksum FROM schema_migration ORDER BY version').all() as {
    version: number;
    checksum: string;
  }[];
  for (const row of applied) {
    const migration = migrations.find((m) => m.version === row.version);
    if (migration && migration.checksum !== row.checksum) {
      throw new TillError(
        'conflict',
        'migration_changed',
        `Migration ${row.version} (${migration.name}) differs from the one this database was built with; refusing to open.`,
        { version: row.version },
      );
    }
  }
  // What is not recorded yet, in order: a number filled in later still runs.
  const done = new Set(applied.map((row) => row.version));
  const pending = migrations.filter((m) => !done.has(m.version));
  if (pending.length === 0) return known;
  const record = db.prepare('INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      record.run(m.version, m.name, m.checksum, new Date().toISOString());
    }
    db.pragma(`user_version = ${known}`);
  })();
  return known;
}
