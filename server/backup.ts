/**
 * Backups of the sync server's database, and restores that tell the tills (DESIGN.md §6,
 * Recovery). PostgreSQL (DATABASE_URL): pg_dump's custom format, restored with pg_restore
 * into an empty database in one transaction. PGlite (TILLDESK_SERVER_DATA, server stopped):
 * a gzipped copy of its data folder, restored into an empty folder. Either restore ends by
 * migrating the copy to this server's schema and giving it a new epoch, so every till
 * pushes again what the backup lacks and pulls a fresh snapshot.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { newEpoch } from './admin-ops.ts';
import { type Db, migrate, openPostgres, pgliteDb } from './db.ts';
import { defaultDataDir } from './open.ts';

export interface BackupTarget {
  /** PostgreSQL; when absent, PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Folder holding pg_dump and pg_restore when they are not on PATH (e.g. /usr/lib/postgresql/15/bin). */
  pgBin?: string | undefined;
}

export function backupTarget(env: NodeJS.ProcessEnv): BackupTarget {
  return { databaseUrl: env.DATABASE_URL, dataDir: env.TILLDESK_SERVER_DATA || defaultDataDir, pgBin: env.TILLDESK_PG_BIN };
}

/** libpq gets the address without its password, which travels in PGPASSWORD, never in `ps`. */
function libpq(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password ? { ...process.env, PGPASSWORD: password } : process.env };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => reject(new Error(`Cannot run ${command}: ${error.message} (set TILLDESK_PG_BIN?)`)));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`)),
    );
  });
}

const tool = (target: BackupTarget, name: string) => (target.pgBin ? join(target.pgBin, name) : name);

/** Writes the backup to `out` (never over an existing file); returns its size. */
export async function backupServer(target: BackupTarget, out: string): Promise<{ bytes: number }> {
  if (existsSync(out)) throw new Error(`${out} already exists: choose a new file name`);
  const partial = `${out}.partial`;
  try {
    if (target.databaseUrl) {
      const { dbname, env } = libpq(target.databaseUrl);
      await run(
        tool(target, 'pg_dump'),
        ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${dbname}`],
        env,
      );
    } else {
      const dataDir = target.dataDir ?? defaultDataDir;
      if (!existsSync(dataDir)) throw new Error(`No PGlite database in ${dataDir}`);
      const lite = await PGlite.create({ dataDir });
      try {
        writeFileSync(partial, Buffer.from(await (await lite.dumpDataDir('gzip')).arrayBuffer()));
      } finally {
        await lite.close();
      }
    }
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
  return { bytes: statSync(out).size };
}

/** Relations outside PostgreSQL's own schemas: a restore goes into a database with none. */
async function userRelations(db: Db): Promise<number> {
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  return result.rows[0]?.n ?? 0;
}

/**
 * Restores `from` into an empty database (or folder), migrates it and gives it a new epoch.
 * Refuses a target that already holds data: restoring over a live database would mix two
 * histories. Returns the new epoch.
 */
export async function restoreServer(target: BackupTarget, from: string): Promise<{ epoch: string }> {
  if (!existsSync(from)) throw new Error(`No backup file ${from}`);
  let db: Db;
  if (target.databaseUrl) {
    const url = target.databaseUrl;
    const { dbname, env } = libpq(url);
    const probe = openPostgres(url, { max: 1 });
    try {
      if ((await userRelations(probe)) > 0)
        throw new Error(
          'The target database is not empty: restore into a new, empty database (createdb) and point DATABASE_URL at it',
        );
    } finally {
      await probe.close();
    }
    await run(tool(target, 'pg_restore'), ['--list', from], env); // a readable archive, before touching anything
    await run(
      tool(target, 'pg_restore'),
      ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`, from],
      env,
    );
    db = openPostgres(url, { max: 1 });
  } else {
    const dataDir = target.dataDir ?? defaultDataDir;
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
      throw new Error(`${dataDir} is not empty: restore into a new, empty folder and point TILLDESK_SERVER_DATA at it`);
    const lite = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(from)]) });
    db = pgliteDb(lite);
  }
  try {
    await migrate(db);
    return { epoch: await newEpoch(db) };
  } finally {
    await db.close();
  }
}

/** `node server/admin.ts backup --out FILE` and `restore --from FILE`: prints, returns the exit code. */
export async function backupCommand(
  command: 'backup' | 'restore',
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (!file) {
    console.error(`Missing ${command === 'backup' ? '--out FILE' : '--from FILE'}. Usage: see the top of server/admin.ts`);
    return 2;
  }
  const target = backupTarget(env);
  try {
    if (command === 'backup') {
      const { bytes } = await backupServer(target, file);
      console.log(
        `Backup written to ${file} (${bytes} bytes, ${target.databaseUrl ? 'pg_dump custom format' : 'PGlite data folder'})`,
      );
    } else {
      const { epoch } = await restoreServer(target, file);
      console.log(`Restored ${file}. New epoch ${epoch}: tills will push again what the backup lacks`);
    }
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}
