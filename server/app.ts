/**
 * The sync server's HTTP face: Fastify 5, every body and query checked with the zod
 * schemas of shared/sync.ts, bounded bodies and batches, and one error shape
 * ({ error: { reason, message, … } }) that the till acts on.
 *
 * Limits, each a fixed window (a minute by default) answered 429 with Retry-After:
 * - per device (its token): push, pull and status;
 * - per address: every request but the health checks, so one host cannot flood the server
 *   whatever tokens it makes up;
 * - failed sign-ins per address (401s: unknown, expired or revoked tokens, bad enrolment
 *   codes): past the limit the address is turned away before any token is looked up;
 * - enrolments per address: codes cannot be guessed at speed.
 * Behind a reverse proxy set TILLDESK_TRUST_PROXY, or every till shares the proxy's address.
 *
 * Shutdown (shutdown() below): readiness goes 503 first, new requests get 503 with
 * Retry-After, requests in flight finish and get their reply, then the pool closes.
 */
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseInput } from '../shared/contract.ts';
import {
  acceptedSchemaVersions,
  defaultPullLimit,
  enrolRequestSchema,
  maxPullLimit,
  pushRequestSchema,
  pushRequestV1Schema,
  type StatusReply,
  syncSchemaVersion,
} from '../shared/sync.ts';
import { authenticate, defaultTokenTtlMs, enrol, sha256 } from './auth.ts';
import { type Db, isTemporaryDbError } from './db.ts';
import { HttpError } from './errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { pull } from './pull.ts';
import { type PushHooks, push } from './push.ts';

export interface ServerConfig {
  /** Largest request body in bytes (a push batch of big goods-in ops). */
  bodyLimit: number;
  /** Requests per device per window on push, pull and status. */
  rateLimitPerMinute: number;
  /** Enrolment attempts per address per window: codes cannot be guessed at speed. */
  enrolLimitPerMinute: number;
  /** Requests per address per window, health checks aside. */
  addressLimitPerMinute: number;
  /** Failed sign-ins (401) per address per window before the address is turned away. */
  authFailureLimitPerMinute: number;
  /** The window of every limit above (a minute; tests shorten it). */
  rateWindowMs: number;
  /** A device token's sliding lifetime (auth.ts). */
  tokenTtlMs: number;
  /** Fastify's trustProxy: true (any), or the proxies' addresses or CIDR ranges, comma-separated. */
  trustProxy: boolean | string;
}

export const defaultConfig: ServerConfig = {
  bodyLimit: 8 * 1024 * 1024,
  rateLimitPerMinute: 600,
  enrolLimitPerMinute: 20,
  // 100 requests a second: a store of 50 tills behind one address, syncing after every sale
  // and polling, uses a few percent of it.
  addressLimitPerMinute: 6000,
  authFailureLimitPerMinute: 30,
  rateWindowMs: 60_000,
  tokenTtlMs: defaultTokenTtlMs,
  trustProxy: false,
};

export interface ShutdownOptions {
  /** How long readiness answers 503 before the listener closes, so a load balancer stops sending. */
  drainDelayMs: number;
  /** The bound from the signal to the end: requests still running then are cut (never committed half). */
  timeoutMs: number;
}

// Inside `docker stop`'s 10 s grace period.
export const defaultShutdown: ShutdownOptions = { drainDelayMs: 1000, timeoutMs: 8000 };

const positive = (text: string | undefined) => (text && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined);

/** The settings of this file read from the environment (the older ones: configFromEnv in open.ts). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): { config: Partial<ServerConfig>; shutdown: ShutdownOptions } {
  const config: Partial<ServerConfig> = {};
  const address = positive(env.TILLDESK_ADDRESS_LIMIT);
  const failures = positive(env.TILLDESK_AUTH_FAILURE_LIMIT);
  const ttlDays = positive(env.TILLDESK_TOKEN_TTL_DAYS);
  if (address) config.addressLimitPerMinute = address;
  if (failures) config.authFailureLimitPerMinute = failures;
  if (ttlDays) config.tokenTtlMs = ttlDays * 86_400_000;
  const proxy = env.TILLDESK_TRUST_PROXY?.trim();
  if (proxy) config.trustProxy = proxy === 'true' ? true : proxy;
  const shutdown = { ...defaultShutdown };
  const delay = env.TILLDESK_DRAIN_DELAY_MS;
  if (delay && /^\d+$/.test(delay)) shutdown.drainDelayMs = Number(delay);
  const timeout = positive(env.TILLDESK_SHUTDOWN_TIMEOUT_MS);
  if (timeout) shutdown.timeoutMs = timeout;
  return { config, shutdown };
}

export interface AppOptions {
  db: Db;
  logger: Logger;
  config?: Partial<ServerConfig>;
  hooks?: PushHooks;
  metrics?: Metrics;
}

/** Per app: set once shutdown starts. */
const draining = new WeakMap<FastifyInstance, { draining: boolean }>();

/** Parses through parseInput: a body zod itself cannot read (a `length` that is an object) is refused like any other. */
function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = parseInput(schema, value);
  if (!result.success) {
    const detail = result.issues.slice(0, 5).map((i) => `${i.path || '(body)'}: ${i.message}`);
    throw new HttpError(400, 'invalid_request', detail.join('; '));
  }
  return result.data;
}

/** 426 for a protocol version this server does not speak (it speaks the current and previous). */
function checkVersion(version: unknown): number {
  const n = typeof version === 'string' ? Number(version) : version;
  if (typeof n !== 'number' || !acceptedSchemaVersions.includes(n)) {
    throw new HttpError(
      426,
      'schema_version_unsupported',
      `This server speaks sync protocol ${acceptedSchemaVersions.join(' and ')}; update the till`,
      { acceptedSchemaVersions: [...acceptedSchemaVersions] },
    );
  }
  return n;
}

const bodyField = (request: FastifyRequest, field: string): unknown =>
  typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>)[field] : undefined;

const pullQuery = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(maxPullLimit).default(defaultPullLimit),
    schemaVersion: z.string().max(5),
  })
  .strict();

/**
 * Requests Node's HTTP parser refuses (broken framing, control bytes in a header, headers
 * over Node's 16 kB) never reach Fastify: they get the error shape too, then the
 * connection closes.
 */
function refuseUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request line and headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'bad_request', 'The request took too long to arrive']
        : [400, 'Bad Request', 'bad_request', 'Malformed HTTP request'];
  const body = JSON.stringify({ error: { reason, message } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The 429 every limit answers, with the seconds to wait. */
function tooMany(reply: FastifyReply, seconds: number, reason: string, message: string) {
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, seconds)))
    .send({ error: { reason, message } });
}

const isHealth = (url: string) => url === '/health/live' || url === '/health/ready';
const deviceRoutes = new Set(['/v1/sync/push', '/v1/sync/pull', '/v1/sync/status']);

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options;
  const config = { ...defaultConfig, ...options.config };
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // While draining, our own hook answers (with Retry-After and the reason a till reads).
    return503OnClosing: false,
    // A path Fastify cannot decode (`/%`) never reaches a route: it gets the error shape too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      return reply.code(status).send({ error: { reason: 'invalid_request', message: 'The request path cannot be read' } });
    },
    clientErrorHandler: refuseUnparsable,
  });
  const state = { draining: false };
  draining.set(app, state);
  const window = config.rateWindowMs;

  await app.register(rateLimit, { global: false, timeWindow: window });
  // One bucket per device across push, pull and status (a route's own limit would count each
  // route apart): the token's hash keys it (never the token), so it is counted before any lookup.
  const perDevice = app.createRateLimit({
    max: config.rateLimitPerMinute,
    timeWindow: window,
    keyGenerator: (request) => {
      const header = request.headers.authorization;
      return header ? `t:${sha256(header).slice(0, 24)}` : `ip:${request.ip}`;
    },
  });
  const perAddress = app.createRateLimit({
    max: config.addressLimitPerMinute,
    timeWindow: window,
    keyGenerator: (request) => `a:${request.ip}`,
  });
  const authFailures = app.createRateLimit({
    max: config.authFailureLimitPerMinute,
    timeWindow: window,
    keyGenerator: (request) => `f:${request.ip}`,
  });

  app.addHook('onRequest', async (request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    if (isHealth(url)) return;
    if (state.draining && url !== '/metrics') {
      metrics.inc('tilldesk_shutdown_refused_total');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: { reason: 'shutting_down', message: 'This server is stopping; try again shortly' } });
    }
    const address = await perAddress(request);
    if (!address.isAllowed && address.isExceeded) {
      metrics.inc('tilldesk_rate_limited_total', { limit: 'address' });
      return tooMany(reply, address.ttlInSeconds, 'address_rate_limited', 'Too many requests from this address; slow down');
    }
    // Looked at, not counted: only a failure counts (in the error handler).
    const failed = await authFailures(request, { increment: false });
    if (!failed.isAllowed && failed.remaining <= 0) {
      metrics.inc('tilldesk_rate_limited_total', { limit: 'auth_failures' });
      return tooMany(
        reply,
        failed.ttlInSeconds,
        'too_many_auth_failures',
        'Too many refused tokens or enrolment codes from this address; wait before trying again',
      );
    }
    if (deviceRoutes.has(url)) {
      const device = await perDevice(request);
      if (!device.isAllowed && device.isExceeded) {
        metrics.inc('tilldesk_rate_limited_total', { limit: 'device' });
        return tooMany(reply, device.ttlInSeconds, 'rate_limited', 'Too many requests from this till; slow down');
      }
    }
  });

  // A reply sent while draining closes its connection: the till reconnects to a server that stays.
  app.addHook('onSend', async (_request, reply) => {
    if (state.draining) reply.header('connection', 'close');
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) {
      if (error.status === 401) {
        metrics.inc('tilldesk_auth_failures_total', { reason: error.reason });
        await authFailures(request);
      }
      if (error.status >= 500) request.log.warn({ reason: error.reason }, error.message);
      return reply.code(error.status).send({ error: { reason: error.reason, message: error.message, ...error.extra } });
    }
    if (error.statusCode === 429) {
      // The enrolment route's own limit; the plugin set Retry-After.
      return reply.code(429).send({ error: { reason: 'rate_limited', message: 'Too many requests from this till; slow down' } });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .code(413)
        .send({ error: { reason: 'body_too_large', message: `Requests are limited to ${config.bodyLimit} bytes` } });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: { reason: 'invalid_request', message: error.message } });
    }
    if (isTemporaryDbError(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: { reason: 'temporarily_unavailable', message: 'The database is unavailable; try again shortly' } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { reason: 'internal', message: 'Internal server error' } });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split('?')[0] ?? '').slice(0, 100);
    return reply.code(404).send({ error: { reason: 'not_found', message: `No route ${request.method} ${path}` } });
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.inc('tilldesk_http_requests_total', {
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  const signIn = (request: FastifyRequest) => authenticate(db, request.headers.authorization, config.tokenTtlMs);

  app.post(
    '/v1/sync/enrol',
    {
      config: {
        rateLimit: {
          max: config.enrolLimitPerMinute,
          timeWindow: window,
          // By address whatever headers come with it: a made-up token must not buy a fresh bucket.
          keyGenerator: (request: FastifyRequest) => `e:${request.ip}`,
          onExceeded: () => metrics.inc('tilldesk_rate_limited_total', { limit: 'enrol' }),
        },
      },
    },
    async (request) => {
      checkVersion(bodyField(request, 'schemaVersion'));
      const reply = await enrol(db, parse(enrolRequestSchema, request.body), config.tokenTtlMs);
      metrics.inc('tilldesk_enrolments_total');
      request.log.info({ device: reply.deviceId, store: reply.storeId }, 'device enrolled');
      return reply;
    },
  );

  app.post('/v1/sync/push', async (request) => {
    const version = checkVersion(bodyField(request, 'schemaVersion'));
    const device = await signIn(request);
    const body = version === 1 ? parse(pushRequestV1Schema, request.body) : parse(pushRequestSchema, request.body);
    // The store comes from the token, never from the request: a till names only itself.
    if (body.deviceId !== device.id) throw new HttpError(403, 'device_mismatch', 'This token belongs to another device');
    let outcome: Awaited<ReturnType<typeof push>>;
    try {
      outcome = await push(db, body, options.hooks);
    } catch (error) {
      if (isTemporaryDbError(error)) metrics.inc('tilldesk_push_unavailable_total');
      throw error;
    }
    metrics.inc('tilldesk_push_ops_total', { outcome: 'applied' }, outcome.applied);
    metrics.inc('tilldesk_push_ops_total', { outcome: 'rejected' }, outcome.rejected);
    metrics.inc('tilldesk_push_ops_total', { outcome: 'duplicate' }, outcome.duplicates);
    metrics.inc('tilldesk_push_ops_total', { outcome: 'repeated' }, outcome.repeated);
    if (outcome.reply.gap) metrics.inc('tilldesk_push_gaps_total');
    request.log.info(
      {
        device: device.id,
        ops: body.ops.length,
        applied: outcome.applied,
        rejected: outcome.rejected,
        lastSeq: outcome.reply.lastSeq,
      },
      'push',
    );
    return outcome.reply;
  });

  app.get('/v1/sync/pull', async (request) => {
    const query = parse(pullQuery, request.query);
    checkVersion(query.schemaVersion);
    const device = await signIn(request);
    return pull(db, device, query.cursor, query.limit);
  });

  app.get('/v1/sync/status', async (request): Promise<StatusReply> => {
    const device = await signIn(request);
    const row = (
      await db.query<{ last_seq: number; clock_skew_ms: number | null; store_name: string; epoch: string }>(
        `SELECT d.last_seq, d.clock_skew_ms, s.name AS store_name, (SELECT epoch FROM server_state) AS epoch
         FROM device d JOIN store s ON s.id = d.store_id WHERE d.id = $1`,
        [device.id],
      )
    ).rows[0];
    if (!row) throw new HttpError(401, 'unknown_token', 'This server does not know this till');
    return {
      deviceId: device.id,
      deviceName: device.name,
      storeId: device.storeId,
      storeName: row.store_name,
      epoch: row.epoch,
      lastSeq: row.last_seq,
      serverTime: new Date().toISOString(),
      schemaVersion: syncSchemaVersion,
      acceptedSchemaVersions: [...acceptedSchemaVersions],
      clockSkewMs: row.clock_skew_ms,
    };
  });

  app.get('/health/live', async () => ({ ok: true }));
  app.get('/health/ready', async (_request, reply) => {
    if (state.draining) return reply.code(503).send({ ok: false, database: db.kind, draining: true });
    try {
      await Promise.race([
        db.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database check timed out')), 2000).unref()),
      ]);
      return { ok: true, database: db.kind };
    } catch (error) {
      return reply.code(503).send({ ok: false, database: db.kind, error: (error as Error).message });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render(db);
  });

  return app;
}

/**
 * Stops the server gracefully: readiness answers 503 at once and every new request 503 with
 * Retry-After; after drainDelayMs the listener closes; requests in flight finish and get
 * their reply (their transactions commit); then the database closes. Whatever still runs
 * at timeoutMs is cut: its connection closes without a reply and the caller exits, which
 * rolls back a transaction not yet committed. Either way the till, with no reply, pushes
 * again and its ops are applied once (a stored result if they had committed).
 * Resolves true when nothing had to be cut.
 */
export async function shutdown(app: FastifyInstance, db: Db, options: ShutdownOptions, logger: Logger): Promise<boolean> {
  const state = draining.get(app);
  if (state) state.draining = true;
  const deadline = Date.now() + options.timeoutMs;
  logger.info({ drainDelayMs: options.drainDelayMs, timeoutMs: options.timeoutMs }, 'draining');
  await sleep(Math.min(options.drainDelayMs, options.timeoutMs));
  const finished = await Promise.race([
    app.close().then(() => true),
    sleep(Math.max(0, deadline - Date.now()), false, { ref: false }),
  ]);
  if (!finished) {
    logger.warn('requests still running at the shutdown bound: cutting them');
    app.server.closeAllConnections();
  }
  // A stuck query would hold the pool open: the database gets a bound of its own.
  const closed = await Promise.race([
    db.close().then(
      () => true,
      () => false,
    ),
    sleep(finished ? 5000 : 500, false, { ref: false }),
  ]);
  logger.info({ finished, databaseClosed: closed }, 'stopped');
  return finished && closed;
}
