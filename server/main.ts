/**
 * `npm run server`: the sync server. PostgreSQL with DATABASE_URL, otherwise embedded
 * PGlite in TILLDESK_SERVER_DATA (default .data/server). Listens on HOST:PORT
 * (127.0.0.1:8780 by default; PORT=0 picks a free port, printed in the "listening" log line).
 */
import pino from 'pino';
import { buildApp } from './app.ts';
import { configFromEnv, openDatabase } from './open.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'tilldesk-sync' } });
const db = await openDatabase(process.env, logger);
const app = await buildApp({ db, logger, config: configFromEnv(process.env) });
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ host, port: Number(process.env.PORT ?? 8780) });
const address = app.server.address();
logger.info({ host, port: typeof address === 'object' && address ? address.port : null, database: db.kind }, 'listening');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
