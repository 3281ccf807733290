/**
 * The till's background sync loop (DESIGN.md §6). Runs beside the store — in Electron's
 * main process or the browser host, never the UI — so the till never waits for the
 * network. One cycle pushes the outbox in bounded batches, then pulls every page of
 * changes. After a sale (a 'stock.changed' event) it runs soon if the server was
 * reachable; after a failure it waits with exponential backoff and jitter; otherwise it
 * polls. What each server answer changes in the store is in db/sync.ts.
 */
import { TillError } from '../shared/errors.ts';
import {
  enrolReplySchema,
  maxBatchOps,
  type OpEnvelope,
  type PushReply,
  pullReplySchema,
  pushReplySchema,
  type SyncStatus,
  syncErrorSchema,
  syncSchemaVersion,
} from '../shared/sync.ts';
import {
  applyPullPage,
  applyPushReply,
  firstSeqToPush,
  nextBatch,
  readSyncState,
  recordSyncError,
  recordSyncSuccess,
  registerSyncDriver,
  resetPullCursor,
  rewindForEpoch,
  type SyncDriver,
  type SyncRuntime,
  saveEnrolment,
  settingTokenVault,
  syncStatus,
  type TokenVault,
} from './sync.ts';
import type { Till } from './till.ts';

/** Bytes per push batch (payloads as stored); the server takes bodies up to 8 MB. */
export const defaultMaxBatchBytes = 1024 * 1024;
/** Push batches in flight at once: the next goes up while the server applies the one before. */
export const defaultPipeline = 2;

export interface SyncClientOptions {
  vault?: TokenVault;
  fetch?: typeof fetch;
  /** [0, 1): jitter source, replaced in tests. */
  random?: () => number;
  /** First retry delay; doubles per failure up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often an idle, reachable till looks for changes. */
  pollMs?: number;
  /** Delay between a sale and its push, so a burst of sales goes up as one batch. */
  nudgeDelayMs?: number;
  /** How often the outbox is looked at for ops that came without a stock event. */
  watchMs?: number;
  timeoutMs?: number;
  maxBatchOps?: number;
  maxBatchBytes?: number;
  /** Push batches in flight at once (1: one after the other). */
  pipeline?: number;
  pullLimit?: number;
  /** False: no timers; cycles run only through syncNow() (tests that drive each step). */
  background?: boolean;
}

export interface SyncClient extends SyncDriver {
  readonly runtime: SyncRuntime;
  /** Asks for a cycle soon (when the server was reachable). */
  nudge(): void;
  stop(): Promise<void>;
}

/** The server could not be reached, or the connection broke before a whole reply came. */
class Unreachable extends Error {}

class ServerRefused extends Error {
  readonly status: number;
  readonly reason: string;
  readonly epoch: string | undefined;
  readonly lastSeq: number | undefined;
  /** The server's Retry-After (429, 503): the next attempt waits at least this long. */
  retryAfterMs = 0;

  constructor(
    status: number,
    reason: string,
    message: string,
    extra: { epoch?: string | undefined; lastSeq?: number | undefined },
  ) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.epoch = extra.epoch;
    this.lastSeq = extra.lastSeq;
  }
}

const clients = new WeakMap<Till, SyncClient>();

/** Starts (or returns the already running) sync client of a till and registers it for the contract rows. */
export function startSync(till: Till, options: SyncClientOptions = {}): SyncClient {
  const existing = clients.get(till);
  if (existing) return existing;
  const client = createSyncClient(till, options);
  clients.set(till, client);
  registerSyncDriver(till, client);
  return client;
}

function createSyncClient(till: Till, options: SyncClientOptions): SyncClient {
  const vault = options.vault ?? settingTokenVault(till);
  const fetchFn = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const baseDelay = options.baseDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 30_000;
  const nudgeDelay = options.nudgeDelayMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBatchBytes ?? defaultMaxBatchBytes;
  const pipeline = Math.max(1, options.pipeline ?? defaultPipeline);
  const pullLimit = options.pullLimit ?? 500;
  const background = options.background ?? true;

  const runtime: SyncRuntime = { online: false, syncing: false, nextAttemptAt: null };
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let current: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let applyingPull = false;
  let lastEmitted = '';

  const status = (): SyncStatus => syncStatus(till, runtime);

  /** Tells the UI (header indicator) whenever what it shows changed. */
  function publish(): void {
    const s = status();
    const text = JSON.stringify(s);
    if (text === lastEmitted) return;
    lastEmitted = text;
    till.events.emit('sync.status', s);
  }

  function schedule(ms: number): void {
    if (!background || stopped) return;
    if (timer) clearTimeout(timer);
    runtime.nextAttemptAt = new Date(till.now().getTime() + ms).toISOString();
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, ms);
    timer.unref?.();
  }

  async function request(serverUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = vault.get();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetchFn(`${serverUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers?.get('retry-after') ?? null;
      text = await response.text();
    } catch (error) {
      throw new Unreachable((error as Error).cause ? String((error as Error).cause) : (error as Error).message);
    }
    runtime.online = true;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServerRefused(status, status >= 500 ? 'server_error' : 'bad_server_reply', `HTTP ${status}: not JSON`, {});
    }
    if (status >= 200 && status < 300) return json;
    const refused = syncErrorSchema.safeParse(json);
    const error = refused.success ? refused.data.error : { reason: `http_${status}`, message: `HTTP ${status}` };
    const refusal = new ServerRefused(status, error.reason, error.message, error);
    // Seconds (the form our server sends); capped so a bad header cannot park the till for days.
    const seconds = Number(retryAfter);
    if (retryAfter !== null && Number.isFinite(seconds) && seconds > 0) refusal.retryAfterMs = Math.min(seconds, 3600) * 1000;
    throw refusal;
  }

  function sendBatch(state: NonNullable<ReturnType<typeof readSyncState>>, batch: OpEnvelope[]): Promise<PushReply> {
    return request(state.serverUrl, 'POST', '/v1/sync/push', {
      deviceId: state.deviceId,
      epoch: state.epoch,
      schemaVersion: syncSchemaVersion,
      sentAt: till.now().toISOString(),
      ops: batch,
    }).then((json) => pushReplySchema.parse(json));
  }

  /**
   * Pushes the outbox in batches, `pipeline` of them in flight at once: the next batch goes
   * up while the server applies the one before (it takes them one at a time, in seq order,
   * by the device's row lock), so the till's work, the network and the server's parsing
   * overlap the server's transaction. Replies are read in the order sent. A batch that
   * overtook the one before it gets a gap reply naming a seq still in flight: nothing was
   * applied, and the next pass sends it again. A gap on a pass's first batch is real.
   */
  async function pushAll(): Promise<void> {
    let batchOps = options.maxBatchOps ?? maxBatchOps;
    let lastGap = 0;
    for (let round = 0; round < 100_000 && !stopped; round++) {
      const state = readSyncState(till);
      if (!state) return;
      const inflight: { batch: OpEnvelope[]; reply: Promise<PushReply> }[] = [];
      let sentThrough = 0;
      const fill = () => {
        while (inflight.length < pipeline && !stopped) {
          const batch = nextBatch(till, batchOps, maxBytes, sentThrough);
          if (batch.length === 0) return;
          sentThrough = batch.at(-1)?.seq ?? sentThrough;
          const reply = sendBatch(state, batch);
          reply.catch(() => {}); // read in order below
          inflight.push({ batch, reply });
        }
      };
      fill();
      if (inflight.length === 0) return;
      let first = true;
      let overtaken = false;
      let current: OpEnvelope[] = [];
      try {
        for (let next = inflight.shift(); next; next = inflight.shift()) {
          current = next.batch;
          const reply = await next.reply;
          if (reply.gap && !first && reply.gap.expectedSeq <= (next.batch[0]?.seq ?? 0)) {
            // Overtook the batch before it: applied nothing. Settle what is in flight, then start over.
            overtaken = true;
            applyPushReply(till, { ...reply, gap: undefined });
            continue;
          }
          applyPushReply(till, reply);
          publish();
          if (reply.gap) {
            const held = till.db.prepare('SELECT 1 FROM outbox WHERE seq = ?').get(reply.gap.expectedSeq);
            if (!held || reply.gap.expectedSeq === lastGap) {
              throw new ServerRefused(
                409,
                'seq_reused',
                `The server needs op ${reply.gap.expectedSeq}, which this till does not hold`,
                {},
              );
            }
            lastGap = reply.gap.expectedSeq;
            overtaken = true; // what is still in flight went up past a gap: send it again
          } else if (reply.results.length === 0) {
            throw new ServerRefused(500, 'bad_server_reply', 'The server settled none of the ops sent', {});
          }
          first = false;
          if (!overtaken) fill();
        }
      } catch (error) {
        await settle(inflight);
        if (error instanceof ServerRefused && error.status === 409 && error.reason === 'epoch_changed' && error.epoch) {
          rewindForEpoch(till, error.epoch, error.lastSeq ?? 0);
          publish();
          continue;
        }
        if (error instanceof ServerRefused && error.status === 413 && current.length > 1) {
          batchOps = Math.max(1, Math.floor(current.length / 2));
          continue;
        }
        throw error;
      }
    }
  }

  /** After a failure: waits for the batches still in flight and keeps what they settled. */
  async function settle(inflight: { reply: Promise<PushReply> }[]): Promise<void> {
    for (const { reply } of inflight.splice(0)) {
      try {
        const settled = await reply;
        if (!settled.gap) applyPushReply(till, settled);
      } catch {
        // Its ops stay waiting and go up again.
      }
    }
    publish();
  }

  /** Pulls every page; 'rewound' when it found the server restored (the outbox must go up again first). */
  async function pullAll(): Promise<'done' | 'rewound'> {
    for (let page = 0; page < 100_000 && !stopped; page++) {
      const state = readSyncState(till);
      if (!state) return 'done';
      const query = new URLSearchParams({ schemaVersion: String(syncSchemaVersion), limit: String(pullLimit) });
      if (state.pullCursor) query.set('cursor', state.pullCursor);
      let reply: ReturnType<typeof pullReplySchema.parse>;
      try {
        reply = pullReplySchema.parse(await request(state.serverUrl, 'GET', `/v1/sync/pull?${query}`));
      } catch (error) {
        if (error instanceof ServerRefused && error.status === 409 && error.epoch && error.epoch !== state.epoch) {
          rewindForEpoch(till, error.epoch, error.lastSeq ?? 0);
          publish();
          return 'rewound';
        }
        if (error instanceof ServerRefused && error.status === 409 && state.pullCursor) {
          resetPullCursor(till);
          continue;
        }
        throw error;
      }
      if (reply.epoch !== state.epoch) {
        rewindForEpoch(till, reply.epoch, reply.lastSeq);
        publish();
        return 'rewound';
      }
      applyingPull = true;
      try {
        const touched = applyPullPage(till, reply);
        if (touched.length > 0) till.events.emit('stock.changed', { productIds: touched });
      } finally {
        applyingPull = false;
      }
      if (!reply.more) return 'done';
    }
    return 'done';
  }

  function fail(error: unknown): void {
    if (error instanceof ServerRefused && (error.status === 401 || error.status === 426 || error.reason === 'seq_reused')) {
      // Retrying cannot help: keep every op, say why, and wait for the till to enrol again.
      const halt = error.status === 426 ? 'upgrade_required' : error.status === 401 ? 'revoked' : 'seq_reused';
      recordSyncError(till, error.reason, error.message, halt);
      runtime.nextAttemptAt = null;
      return;
    }
    if (error instanceof Unreachable) {
      runtime.online = false;
      recordSyncError(till, 'server_unreachable', error.message);
    } else if (error instanceof ServerRefused) {
      recordSyncError(till, error.reason, error.message);
    } else if (error instanceof Error && error.name === 'ZodError') {
      recordSyncError(till, 'bad_server_reply', error.message);
    } else {
      recordSyncError(till, 'sync_failed', (error as Error)?.message ?? String(error));
    }
    failures++;
    const ceiling = Math.min(maxDelay, baseDelay * 2 ** (failures - 1));
    const wait = error instanceof ServerRefused ? error.retryAfterMs : 0;
    schedule(Math.max(wait, Math.round(ceiling / 2 + (random() * ceiling) / 2)));
  }

  async function cycle(): Promise<void> {
    const state = readSyncState(till);
    if (!state || state.halted || stopped) return;
    if (!vault.get()) {
      recordSyncError(till, 'sync_no_token', 'This till has no device token: enrol it again', 'revoked');
      return;
    }
    runtime.syncing = true;
    publish();
    try {
      // A restore found by the pull reopens ops: push them, then pull the snapshot.
      for (let round = 0; round < 3; round++) {
        await pushAll();
        if ((await pullAll()) === 'done') break;
      }
      recordSyncSuccess(till);
      failures = 0;
      runtime.online = true;
      schedule(pollMs);
    } catch (error) {
      fail(error);
    } finally {
      runtime.syncing = false;
      publish();
    }
  }

  /** One cycle at a time; a request during a cycle runs one more after it. */
  function run(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      do {
        again = false;
        await cycle();
      } while (again && !stopped);
    })().finally(() => {
      current = null;
    });
    return current;
  }

  /** New ops (a sale, a catalog edit, a shift closed): tell the indicator, and push soon if online. */
  // The newest seq, not the waiting count: a push between two looks would hide a new op.
  const newestSeq = () => (till.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM outbox').get() as { seq: number }).seq;
  let lastSeen = newestSeq();
  function noticeNewOps(): void {
    const state = readSyncState(till);
    const newest = newestSeq();
    const grew = newest > lastSeen;
    lastSeen = newest;
    publish();
    if (!grew || !runtime.online || !state || state.halted) return;
    // During a cycle its push may be over already: run one more after it.
    if (current) again = true;
    else schedule(nudgeDelay);
  }
  const unsubscribe = till.events.on('stock.changed', () => {
    if (!applyingPull) noticeNewOps();
  });
  // Ops that come without a stock event (catalog edits, shifts) are noticed within watchMs.
  const watcher = background ? setInterval(noticeNewOps, options.watchMs ?? 2000) : null;
  watcher?.unref?.();

  const client: SyncClient = {
    runtime,
    status,
    nudge() {
      if (runtime.online) schedule(nudgeDelay);
    },
    async syncNow() {
      if (timer) clearTimeout(timer);
      timer = null;
      await run();
      return status();
    },
    async enrol(serverUrl, code, deviceName) {
      let reply: ReturnType<typeof enrolReplySchema.parse>;
      try {
        reply = enrolReplySchema.parse(
          await request(serverUrl, 'POST', '/v1/sync/enrol', {
            code,
            deviceName,
            installId: till.deviceId,
            schemaVersion: syncSchemaVersion,
            firstSeq: firstSeqToPush(till),
          }),
        );
      } catch (error) {
        if (error instanceof Unreachable) {
          throw new TillError('unavailable', 'sync_server_unreachable', `Could not reach ${serverUrl}: ${error.message}`, {
            url: serverUrl,
          });
        }
        if (error instanceof ServerRefused && error.reason === 'bad_enrolment_code') {
          throw new TillError('rejected', 'sync_bad_code', 'That enrolment code is wrong, used or expired');
        }
        if (error instanceof ServerRefused && error.status === 426) {
          throw new TillError('rejected', 'sync_upgrade_required', 'The server needs a newer Tilldesk');
        }
        throw new TillError('rejected', 'sync_enrol_failed', `The server refused: ${(error as Error).message}`, {
          message: (error as Error).message,
        });
      }
      saveEnrolment(till, serverUrl, deviceName, reply, vault);
      failures = 0;
      publish();
      await client.syncNow();
      return status();
    },
    async stop() {
      stopped = true;
      if (watcher) clearInterval(watcher);
      if (timer) clearTimeout(timer);
      timer = null;
      unsubscribe();
      registerSyncDriver(till, null);
      clients.delete(till);
      await current;
    },
  };
  if (background) schedule(0);
  return client;
}
