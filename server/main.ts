/**
 * `npm run server`: the sync server. PostgreSQL with DATABASE_URL, otherwise embedded
 * PGlite in TILLDESK_SERVER_DATA (default .data/server). Listens on HOST:PORT
 * (127.0.0.1:8780 by default; PORT=0 picks a free port, printed in the "listening" log line).
 *
 * SIGTERM or SIGINT stops it gracefully (app.ts shutdown()): not ready at once, new requests
 * 503, pushes in flight finish, exit 0 — or exit 1 when some had to be cut at
 * TILLDESK_SHUTDOWN_TIMEOUT_MS (8 s by default). A second signal exits at once.
 *
 * Environment: DATABASE_URL, TILLDESK_SERVER_DATA, HOST, PORT, LOG_LEVEL, TILLDESK_BODY_LIMIT,
 * TILLDESK_RATE_LIMIT (per device a minute), TILLDESK_ENROL_LIMIT, TILLDESK_ADDRESS_LIMIT,
 * TILLDESK_AUTH_FAILURE_LIMIT (per address a minute), TILLDESK_TOKEN_TTL_DAYS (90),
 * TILLDESK_TRUST_PROXY, TILLDESK_DRAIN_DELAY_MS (1000), TILLDESK_SHUTDOWN_TIMEOUT_MS (8000).
 */
import pino from 'pino';
import { buildApp, settingsFromEnv, shutdown } from './app.ts';
import { configFromEnv, openDatabase } from './open.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'tilldesk-sync' } });
const settings = settingsFromEnv(process.env);
const db = await openDatabase(process.env, logger);
const app = await buildApp({ db, logger, config: { ...configFromEnv(process.env), ...settings.config } });
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ host, port: Number(process.env.PORT ?? 8780) });
const address = app.server.address();
logger.info({ host, port: typeof address === 'object' && address ? address.port : null, database: db.kind }, 'listening');

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'stopping');
  const clean = await shutdown(app, db, settings.shutdown, logger);
  process.exit(clean ? 0 : 1);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
