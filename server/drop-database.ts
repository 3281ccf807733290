/**
 * Drops a scratch database (tests, benchmarks, the load run; the server itself never drops
 * one). `WITH (FORCE)` ends the sessions inside, except those of a role we may not signal:
 * an autovacuum worker (a superuser's backend) that stays a moment after heavy writes, a
 * monitor, a backup. So: wait and try again; failing that, leave it and say so — cleaning up
 * must not fail a run whose work is done.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export async function dropDatabase(adminUrl: string, name: string, attempts = 8): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      return true;
    } catch (error) {
      if (attempt >= attempts) {
        console.warn(`could not drop database ${name}: ${(error as Error).message}`);
        return false;
      }
    } finally {
      await client.end().catch(() => {});
    }
    await sleep(250 * attempt);
  }
}
