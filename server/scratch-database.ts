/**
 * Scratch PostgreSQL databases for tests, benchmarks and the load run (the server itself
 * never creates or drops one): made under a role that may CREATE DATABASE, named
 * `<prefix>_<pid>_<random>` so a run can tell its leftovers from a live run's.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface ScratchDatabase {
  name: string;
  /** The admin URL pointed at the new database. */
  url: string;
  drop(): Promise<void>;
}

/** One statement on its own connection (CREATE and DROP DATABASE cannot run in a transaction). */
export async function adminQuery(adminUrl: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => dropDatabase(adminUrl, name) };
}

/**
 * `WITH (FORCE)` ends the sessions inside, except those of a role we may not signal: an
 * autovacuum worker (a superuser's backend) that stays a moment after heavy writes, a
 * monitor, a backup. So: wait and try again; failing that, leave it and say so — cleaning up
 * must not fail a run whose work is done.
 */
export async function dropDatabase(adminUrl: string, name: string, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      return;
    } catch (error) {
      if (attempt >= attempts) {
        console.warn(`could not drop database ${name}: ${(error as Error).message}`);
        return;
      }
    }
    await sleep(250 * attempt);
  }
}
