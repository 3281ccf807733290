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
  /**
   * One statement. `prepared`: PostgreSQL keeps its plan per connection (named after the
   * text), for the statements every push runs, so they are not parsed and planned each time.
   */
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    prepared?: boolean,
  ): Promise<{ rows: T[]; rowCount: number }>;
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

/**
 * Connections per server process (TILLDESK_DB_POOL). Pushes take at most server/push.ts
 * groupsAtOnce of them (a group of pushes shares one transaction); every other request —
 * a token lookup, a pull page, a status — takes one for a moment. A request that waits past
 * connectionTimeoutMillis for one answers 503, so the pool must cover the tills that pull
 * at once. PostgreSQL's max_connections (100 by default) must hold every process's pool.
 */
export const defaultPoolSize = 20;

export function openPostgres(url: string, options: { max?: number; onError?: (error: Error) => void } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? defaultPoolSize,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onError?.(error));
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[], prepared?: boolean) => {
    const result = await client.query(
      prepared
        ? { name: statementName(sql), text: sql, values: params as unknown[] }
        : { text: sql, values: params as unknown[] },
    );
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (sql, params, prepared) => run(pool, sql, params, prepared),
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
          query: (sql, params, prepared) => run(client, sql, params, prepared),
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

const statementNames = new Map<string, string>();
/** A prepared statement's name: the same text always gets the same name. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `td_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A piece of one statement: common table expressions (`name AS (…)`), each piece numbering
 * its parameters from $1. Pieces written as one statement cost one round trip; each name
 * must be unique in the statement.
 */
export interface SqlPart {
  ctes: string[];
  params: unknown[];
}

/**
 * Runs pieces as one statement, prepared. Every CTE runs whether read or not; `tail` (by
 * default nothing) is the statement's own query and may read them.
 */
export async function runParts<T = Record<string, unknown>>(
  tx: Queryable,
  parts: readonly (SqlPart | null)[],
  tail = 'SELECT 1',
): Promise<T[]> {
  const present = parts.filter((p): p is SqlPart => p !== null);
  if (present.length === 0) return [];
  const ctes: string[] = [];
  const params: unknown[] = [];
  for (const part of present) {
    const offset = params.length;
    for (const cte of part.ctes) {
      ctes.push(offset === 0 ? cte : cte.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`));
    }
    params.push(...part.params);
  }
  return (await tx.query<T>(`WITH ${ctes.join(',\n')}\n${tail}`, params, true)).rows;
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
