/**
 * One small interface over the two databases the server runs on: PostgreSQL through `pg`
 * (production, DATABASE_URL) and embedded PGlite in a folder (a laptop with nothing
 * installed). Both speak real PostgreSQL, so every query below is the same on both.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount: number }>;
  /** Runs a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction (READ COMMITTED), rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** int8 as a JS number: quantities and money stay far inside 2^53 (bounded at the edge). */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function openPostgres(url: string, options: { max?: number; onError?: (error: Error) => void } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onError?.(error));
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    const result = await client.query(sql, params as unknown[]);
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client reports a lost connection as an 'error' event; unheard, it
      // would crash the process. The query in flight fails too, which rolls back below.
      const lost = (error: Error) => {
        broken = error;
        options.onError?.(error);
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (sql, params) => run(client, sql, params),
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // the connection is gone: do not return it to the pool
        }
        throw error;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const lite = await PGlite.create(dataDir ? { dataDir } : {});
  return pgliteDb(lite);
}

/** PGlite is one connection: its transaction() holds a lock, so transactions run one at a time. */
export function pgliteDb(lite: PGlite): Db & { lite: PGlite } {
  return {
    kind: 'pglite',
    lite,
    async query(sql, params) {
      const result = await lite.query(sql, params as unknown[]);
      return { rows: result.rows as never[], rowCount: result.rows.length || (result.affectedRows ?? 0) };
    },
    exec: async (sql) => {
      await lite.exec(sql);
    },
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({
          async query(sql, params) {
            const result = await tx.query(sql, params as unknown[]);
            return { rows: result.rows as never[], rowCount: result.rows.length || (result.affectedRows ?? 0) };
          },
          exec: async (sql) => {
            await tx.exec(sql);
          },
        }),
      ),
    close: () => lite.close(),
  };
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir: string = fileURLToPath(new URL('./migrations/', import.meta.url))): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file, index) => {
      const match = /^(\d{4})-([a-z0-9-]+)\.sql$/.exec(file);
      if (!match || Number(match[1]) !== index + 1) throw new Error(`Server migration ${file} is misnamed or out of sequence`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: index + 1, name: match[2] ?? file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies pending migrations at start, in one transaction under an advisory lock, so
 * several server processes starting together over one database migrate it once. A
 * database migrated by a newer server, or whose applied migrations changed, is refused.
 */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727274)');
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const applied = (
      await tx.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migration ORDER BY version')
    ).rows;
    for (const row of applied) {
      const known = migrations[row.version - 1];
      if (!known)
        throw new Error(
          `The database has server migration ${row.version}; this server knows ${migrations.length}. Run the newer server.`,
        );
      if (known.checksum !== row.checksum)
        throw new Error(`Server migration ${row.version} (${known.name}) changed after it was applied`);
    }
    for (const m of migrations.slice(applied.length)) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
    }
    return migrations.length;
  });
}

/** SQLSTATE classes that mean "try again later", not "this op is wrong". */
export function isTemporaryDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    // No SQLSTATE: pg reports a lost connection or a pool timeout as a plain Error.
    return error instanceof Error && /connect|terminat|timeout|timed out|closed|ended|not queryable/i.test(error.message);
  }
  return (
    code.startsWith('08') || // connection exception
    code.startsWith('53') || // insufficient resources
    code.startsWith('57') || // operator intervention: admin shutdown, crash, cancel
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock detected
    code === '55P03' || // lock not available
    /^E[A-Z]+$/.test(code) // node's socket errors (ECONNRESET, ...)
  );
}
