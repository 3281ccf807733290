/**
 * The sync server's HTTP face: Fastify 5, every body and query checked with the zod
 * schemas of shared/sync.ts, bounded bodies and batches, a rate limit per device, and one
 * error shape ({ error: { reason, message, … } }) that the till acts on.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
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
import { authenticate, enrol, sha256 } from './auth.ts';
import { type Db, isTemporaryDbError } from './db.ts';
import { HttpError } from './errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { pull } from './pull.ts';
import { type PushHooks, push } from './push.ts';

export interface ServerConfig {
  /** Largest request body in bytes (a push batch of big goods-in ops). */
  bodyLimit: number;
  /** Requests per device per minute on push, pull and status. */
  rateLimitPerMinute: number;
  /** Enrolment attempts per address per minute: codes cannot be guessed at speed. */
  enrolLimitPerMinute: number;
}

export const defaultConfig: ServerConfig = { bodyLimit: 8 * 1024 * 1024, rateLimitPerMinute: 600, enrolLimitPerMinute: 20 };

export interface AppOptions {
  db: Db;
  logger: Logger;
  config?: Partial<ServerConfig>;
  hooks?: PushHooks;
  metrics?: Metrics;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
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

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options;
  const config = { ...defaultConfig, ...options.config };
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
  });

  await app.register(rateLimit, {
    global: false,
    // Per device: the token's hash (never the token) keys the bucket; anonymous calls by address.
    keyGenerator: (request) => {
      const header = request.headers.authorization;
      return header ? `t:${sha256(header).slice(0, 24)}` : `ip:${request.ip}`;
    },
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) {
      if (error.status === 401) metrics.inc('tilldesk_auth_failures_total', { reason: error.reason });
      if (error.status >= 500) request.log.warn({ reason: error.reason }, error.message);
      return reply.code(error.status).send({ error: { reason: error.reason, message: error.message, ...error.extra } });
    }
    if (error.statusCode === 429) {
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

  app.addHook('onResponse', async (request, reply) => {
    metrics.inc('tilldesk_http_requests_total', {
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    });
  });

  const perDevice = { rateLimit: { max: config.rateLimitPerMinute, timeWindow: 60_000 } };

  app.post(
    '/v1/sync/enrol',
    { config: { rateLimit: { max: config.enrolLimitPerMinute, timeWindow: 60_000 } } },
    async (request) => {
      checkVersion(bodyField(request, 'schemaVersion'));
      const reply = await enrol(db, parse(enrolRequestSchema, request.body));
      metrics.inc('tilldesk_enrolments_total');
      request.log.info({ device: reply.deviceId, store: reply.storeId }, 'device enrolled');
      return reply;
    },
  );

  app.post('/v1/sync/push', { config: perDevice }, async (request) => {
    const version = checkVersion(bodyField(request, 'schemaVersion'));
    const device = await authenticate(db, request.headers.authorization);
    const body = version === 1 ? parse(pushRequestV1Schema, request.body) : parse(pushRequestSchema, request.body);
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

  app.get('/v1/sync/pull', { config: perDevice }, async (request) => {
    const query = parse(pullQuery, request.query);
    checkVersion(query.schemaVersion);
    const device = await authenticate(db, request.headers.authorization);
    return pull(db, device, query.cursor, query.limit);
  });

  app.get('/v1/sync/status', { config: perDevice }, async (request): Promise<StatusReply> => {
    const device = await authenticate(db, request.headers.authorization);
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
