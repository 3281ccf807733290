import { join } from 'node:path';
import { type Events, operationNames } from '../shared/api.ts';
import { damageProblems, type RestoreResult, type StartState } from '../shared/backup.ts';
import { createEmitter } from '../shared/emitter.ts';
import { TillError } from '../shared/errors.ts';
import { createTillApi, type TillApiOptions } from './api.ts';
import type { Runtime } from './app.ts';
import { listBackups, recoveryHints, restoreNewest, scheduleBackups, setAsideForFreshStart } from './backup.ts';
import { type Api, createApi, type Handlers } from './dispatch.ts';
import { type FoundProblem, problemAtOpen } from './integrity.ts';
import { type BackgroundCheck, checkInBackground } from './integrity-check.ts';
import { databaseFileName, openStore, type Store } from './store.ts';
import { refuseStoreFaults } from './store-errors.ts';
import type { TokenVault } from './sync.ts';
import { startSync } from './sync-client.ts';
import { openTill, type Till } from './till.ts';

export interface StartOptions {
  dataDir: string;
  migrationsDir?: string;
  runtime: Runtime;
  /** Where the sync server's device token is kept (Electron: safeStorage). */
  vault?: (till: Till) => TokenVault;
  overrides?: TillApiOptions['overrides'];
  log?: (message: string, error?: unknown) => void;
  /**
   * When the full quick_check starts, in ms after the store opens: the first screens are
   * served first (default 5000). `null`: never (a test about something else).
   */
  integrityCheckDelayMs?: number | null;
  now?: () => Date;
}

export interface RunningTill {
  store: Store;
  till: Till;
  api: Api;
  /** The background quick_check, or null when switched off. */
  check: BackgroundCheck | null;
  /** Stops the check, backups and sync (finishing a push in flight) and closes the store. */
  stop(): Promise<void>;
}

export interface StartedTill {
  /** The contract in either state, and the same object across a restore: hosts wire it once. */
  api: Api;
  state(): StartState;
  /** The open till, or null in recovery. */
  running(): RunningTill | null;
  /** The store file this till serves (or failed to open). */
  path: string;
  stop(): Promise<void>;
}

const defaultCheckDelayMs = 5000;

/**
 * Everything a till process does at start, the same for Electron's main process and the
 * browser host: open the store, schedule backups, start the sync loop, build the API. A
 * store that cannot be opened (damaged, cut short, not a database, read-only, disk full)
 * puts the till in recovery instead of crashing: the same API then answers only the
 * recovery operations (what happened, the backups, restore, try again) until the till runs.
 */
export function startTill(options: StartOptions): StartedTill {
  const log = options.log ?? ((message, error) => console.error(`[tilldesk] ${message}`, error ?? ''));
  const now = options.now ?? (() => new Date());
  const path = join(options.dataDir, databaseFileName);
  const events = createEmitter<Events>();
  let running: RunningTill | null = null;
  let recovery: (FoundProblem & { since: string }) | null = null;

  function openRunning(): RunningTill {
    const store = openStore({
      dataDir: options.dataDir,
      quickCheck: 'later',
      ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}),
    });
    let till: Till;
    try {
      till = openTill(store, { events, now });
    } catch (error) {
      store.close();
      throw error;
    }
    const stopBackups = scheduleBackups(till, (error) => log('scheduled backup failed:', error));
    const sync = startSync(till, options.vault ? { vault: options.vault(till) } : {});
    const api = createTillApi(till, options.runtime, {
      onInternalError: (name, error) => log(`${name} failed:`, error),
      // Every handler, the host's own included, answers a refusing disk with a typed error.
      overrides: (defaults, t) =>
        refuseStoreFaults({ ...defaults, ...options.overrides?.(defaults, t) } as Handlers, store.path, (name, error) =>
          log(`${name} refused by the store: ${error.message}`),
        ),
    });
    const delay = options.integrityCheckDelayMs === undefined ? defaultCheckDelayMs : options.integrityCheckDelayMs;
    const check =
      delay === null
        ? null
        : checkInBackground(store, {
            delayMs: delay,
            now,
            onDone: (report) => {
              const seconds = ((Date.parse(report.finishedAt ?? '') - Date.parse(report.startedAt ?? '')) / 1000).toFixed(1);
              log(
                report.state === 'ok'
                  ? `store check: ok in ${seconds} s (${store.path})`
                  : `store check ${report.state} after ${seconds} s (${store.path}): ${report.problems.slice(0, 5).join('; ')}`,
              );
            },
          });
    return {
      store,
      till,
      api,
      check,
      async stop() {
        check?.cancel();
        stopBackups();
        await sync.stop();
        store.close();
      },
    };
  }

  /** Opens the till, or records why it cannot be opened. */
  function open(): void {
    try {
      running = openRunning();
      recovery = null;
    } catch (error) {
      running = null;
      recovery = { ...problemAtOpen(error, path), since: now().toISOString() };
      log(`cannot open the store (${recovery.problem}); starting in recovery: ${recovery.detail}`);
    }
  }

  function state(): StartState {
    if (!recovery) return { state: 'running' };
    const { backupFolder, language } = recoveryHints(options.dataDir);
    return {
      state: 'recovery',
      problem: recovery.problem,
      detail: recovery.detail,
      path,
      since: recovery.since,
      backupFolder,
      // A backup folder that cannot be read (a file, say) must not hide the recovery screen itself.
      backups: backupsOrNone(backupFolder),
      language,
    };
  }

  const recoveryApi = createApi(
    recoveryHandlers({
      state,
      retry: () => {
        open();
        return state();
      },
      restore(file) {
        const { backupFolder } = recoveryHints(options.dataDir);
        const done = fileStep(() =>
          restoreNewest({
            dataDir: options.dataDir,
            folder: backupFolder,
            file,
            now: now(),
            migrationsDir: options.migrationsDir,
          }),
        );
        log(`restored ${done.restored.path}; the replaced file was kept as ${done.keptAs ?? '(none)'}`);
        open();
        return { ...done, after: state() };
      },
      startEmpty() {
        const keptAs = fileStep(() => setAsideForFreshStart(options.dataDir, now()));
        log(`starting with an empty store; the old file was kept as ${keptAs ?? '(none)'}`);
        open();
        return state();
      },
      problem: () => recovery?.problem ?? 'cannot_open',
    }),
    events,
    { onInternalError: (name, error) => log(`${name} failed in recovery:`, error) },
  );

  open();
  const current = (): Api => running?.api ?? recoveryApi;

  return {
    api: {
      call: (name, input) => current().call(name, input),
      subscribe: (name, listener) => events.on(name, listener),
      publish: (name, payload) => events.emit(name, payload),
    },
    state,
    running: () => running,
    path,
    async stop() {
      const stopping = running;
      running = null;
      await stopping?.stop();
    },
  };
}

/** A file operation of recovery that the disk refused, as a typed error. */
function fileStep<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof TillError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TillError('unavailable', 'restore_failed', `Could not replace the store file: ${String(error)}`, { code });
  }
}

interface RecoveryActions {
  state(): StartState;
  retry(): StartState;
  restore(file: string | undefined): RestoreResult;
  startEmpty(): StartState;
  problem(): string;
}

/** In recovery the contract answers its recovery rows; everything else says why it cannot. */
function recoveryHandlers(actions: RecoveryActions): Handlers {
  const refuse = () => {
    const problem = actions.problem();
    throw new TillError(
      'unavailable',
      'store_in_recovery',
      `The till's store could not be opened (${problem}); restore a backup or fix the cause first`,
      { problem },
    );
  };
  const handlers = Object.fromEntries(operationNames.map((name) => [name, refuse])) as unknown as Handlers;
  handlers['backup.startState'] = () => actions.state();
  handlers['backup.retryStart'] = () => actions.retry();
  handlers['backup.restore'] = ({ file }) => actions.restore(file);
  handlers['backup.startEmpty'] = () => {
    const current = actions.state();
    if (current.state === 'recovery' && !damageProblems.includes(current.problem)) {
      throw new TillError(
        'rejected',
        'not_damaged',
        `The store is not damaged (${current.problem}): fix the cause and try again instead`,
        { problem: current.problem },
      );
    }
    return actions.startEmpty();
  };
  return handlers;
}

function backupsOrNone(folder: string): ReturnType<typeof listBackups> {
  try {
    return listBackups(folder);
  } catch {
    return [];
  }
}
