import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ServerConfig } from './app.ts';
import { type Db, migrate, openPglite, openPostgres } from './db.ts';

/** Where an embedded (PGlite) server keeps its data when TILLDESK_SERVER_DATA is not set. */
export const defaultDataDir = fileURLToPath(new URL('../.data/server', import.meta.url));

/**
 * PostgreSQL when DATABASE_URL is set (TILLDESK_DB_POOL connections, default
 * defaultPoolSize); otherwise embedded PGlite in TILLDESK_SERVER_DATA (one process only:
 * PGlite is a single-connection database). Migrated before use.
 */
export async function openDatabase(env: NodeJS.ProcessEnv, logger?: Logger): Promise<Db> {
  const pool = positive(env.TILLDESK_DB_POOL);
  const db = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, {
        ...(pool ? { max: pool } : {}),
        onError: (error) => logger?.warn({ err: error }, 'idle database connection lost'),
      })
    : await openPglite(env.TILLDESK_SERVER_DATA || defaultDataDir);
  try {
    const version = await migrate(db);
    logger?.info({ database: db.kind, schema: version }, 'database ready');
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

const positive = (text: string | undefined) => (text && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined);

export function configFromEnv(env: NodeJS.ProcessEnv): Partial<ServerConfig> {
  const config: Partial<ServerConfig> = {};
  const bodyLimit = positive(env.TILLDESK_BODY_LIMIT);
  const rate = positive(env.TILLDESK_RATE_LIMIT);
  const enrol = positive(env.TILLDESK_ENROL_LIMIT);
  if (bodyLimit) config.bodyLimit = bodyLimit;
  if (rate) config.rateLimitPerMinute = rate;
  if (enrol) config.enrolLimitPerMinute = enrol;
  return config;
}
