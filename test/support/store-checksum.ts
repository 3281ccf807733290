/**
 * "Nothing was written" made checkable: a hash of every row of every table of a till's
 * SQLite store, in a stable order. Virtual tables are read through their shadow tables
 * (a contentless FTS5 index cannot be scanned, and its shadow tables are where it lives).
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface ChecksumOptions {
  /** Columns left out per table, e.g. a refusal that is meant to count a wrong PIN. */
  skipColumns?: Record<string, readonly string[]>;
}

export function storeChecksum(db: Database.Database, options: ChecksumOptions = {}): string {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
    .all() as { name: string }[];
  const hash = createHash('sha256');
  for (const { name } of tables) {
    const skip = options.skipColumns?.[name] ?? [];
    const rows = db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as Record<string, unknown>[];
    const lines = rows.map((row) => {
      for (const column of skip) delete row[column];
      // BLOBs come back as Buffers, which JSON spells byte by byte.
      return JSON.stringify(row);
    });
    hash.update(name).update('\0').update(lines.sort().join('\n')).update('\0');
  }
  return hash.digest('hex');
}
