/**
 * Drives an updater (electron-updater's autoUpdater in the app, see updater.ts) by the rules in
 * update-policy.ts. Free of Electron imports so its behaviour is tested under Node with a
 * stand-in updater (the real one needs the Electron binary and a release feed).
 */
import { quietUpdateStatus, type UpdateStatus } from '../shared/update.ts';
import { isNewerRelease, nextUpdateStep } from './update-policy.ts';

/** The part of electron-updater's AppUpdater used here. */
export interface Updater {
  checkForUpdates(): Promise<{ updateInfo: { version: string } } | null>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
}

export interface UpdateControllerOptions {
  updater: Updater;
  current: string;
  saleOpen: () => boolean;
  now?: () => number;
  intervalMs?: number;
  retryMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface UpdateController {
  status(): UpdateStatus;
  /** Runs whatever the policy says is due now; the app calls it on a timer. */
  tick(): Promise<void>;
  /** Asks the feed now, whatever the schedule. */
  checkNow(): Promise<void>;
  /** A manager agrees to install; it happens now, or as soon as no sale is open. */
  agree(): Promise<void>;
}

const hour = 3_600_000;

export function createUpdateController(options: UpdateControllerOptions): UpdateController {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 6 * hour;
  const retryMs = options.retryMs ?? 30 * 60_000;
  const log = options.log ?? (() => {});
  const status: UpdateStatus = quietUpdateStatus('idle', options.current);
  let checkedAt: number | null = null;
  let managerAgreed = false;
  let queue: Promise<void> = Promise.resolve();

  options.updater.on('download-progress', (progress) => {
    if (status.state === 'downloading') status.percent = Math.round(progress.percent);
  });

  const fail = (what: string, error: unknown) => {
    log(`update ${what} failed`, error);
    status.state = 'error';
    status.percent = null;
    status.error = error instanceof Error ? error.message : String(error);
  };

  async function check(): Promise<void> {
    checkedAt = now();
    status.checkedAt = new Date(checkedAt).toISOString();
    status.state = 'checking';
    status.error = null;
    let offered: string | null = null;
    try {
      offered = (await options.updater.checkForUpdates())?.updateInfo.version ?? null;
    } catch (error) {
      fail('check', error);
      return;
    }
    if (!offered || !isNewerRelease(offered, options.current)) {
      status.state = 'idle';
      return;
    }
    status.available = offered;
    status.state = 'downloading';
    status.percent = 0;
    try {
      await options.updater.downloadUpdate();
    } catch (error) {
      fail('download', error);
      return;
    }
    status.state = 'ready';
    status.percent = 100;
  }

  async function step(force: boolean): Promise<void> {
    const next = force
      ? ({ kind: 'check' } as const)
      : nextUpdateStep({
          now: now(),
          state: status.state,
          checkedAt,
          intervalMs,
          retryMs,
          saleOpen: options.saleOpen(),
          managerAgreed,
        });
    if (next.kind === 'check') {
      await check();
      if (status.state === 'ready') await step(false);
      return;
    }
    if (next.kind === 'install') {
      // Asked again at the last moment: a sale may have started since the policy looked.
      if (options.saleOpen()) {
        status.waitingFor = 'sale';
        return;
      }
      status.state = 'installing';
      status.waitingFor = null;
      log(`installing ${status.available} (agreed by a manager, no sale open)`);
      options.updater.quitAndInstall();
      return;
    }
    status.waitingFor = next.waitingFor;
    status.nextCheckAt = next.nextCheckAt === null ? null : new Date(next.nextCheckAt).toISOString();
  }

  /** One step at a time: a timer tick never overlaps a manager's button. */
  function serial(force: boolean): Promise<void> {
    const next = queue.then(() => step(force));
    queue = next.catch(() => {});
    return next;
  }

  return {
    status: () => ({ ...status }),
    tick: () => serial(false),
    checkNow: () => (status.state === 'ready' || status.state === 'installing' ? serial(false) : serial(true)),
    async agree() {
      managerAgreed = true;
      await serial(false);
    },
  };
}
