/**
 * Auto-update for the packaged app: electron-updater reads the release feed electron-builder
 * publishes (electron-builder.yml `publish`, latest*.yml beside the installers); the rules of
 * when to check, download and install are in update-controller.ts / update-policy.ts.
 */
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import type { Handlers } from '../db/dispatch.ts';
import { createUpdateController, type UpdateController } from './update-controller.ts';

export interface RunningUpdates {
  controller: UpdateController;
  handlers: Pick<Handlers, 'update.status' | 'update.check' | 'update.install'>;
  stop(): void;
}

/** Null when not packaged (a development run has no feed): the store's defaults answer then. */
export function startUpdates(saleOpen: () => boolean, log: (message: string, error?: unknown) => void): RunningUpdates | null {
  if (!app.isPackaged || process.env.TILLDESK_UPDATES === 'off') return null;
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = false; // the controller downloads after its own check
  autoUpdater.autoInstallOnAppQuit = false; // installing needs a manager's yes
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  const hours = Number(process.env.TILLDESK_UPDATE_INTERVAL_HOURS ?? 6);
  const controller = createUpdateController({
    updater: autoUpdater,
    current: app.getVersion(),
    saleOpen,
    intervalMs: (Number.isFinite(hours) && hours > 0 ? hours : 6) * 3_600_000,
    log,
  });
  // The first check a minute after start, then the policy's schedule, looked at every minute.
  const timer = setInterval(() => void controller.tick(), 60_000);
  return {
    controller,
    handlers: {
      'update.status': () => controller.status(),
      'update.check': async () => {
        await controller.checkNow();
        return controller.status();
      },
      'update.install': async () => {
        await controller.agree();
        return controller.status();
      },
    },
    stop: () => clearInterval(timer),
  };
}
