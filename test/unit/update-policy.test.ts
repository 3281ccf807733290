/**
 * The auto-update rules (electron/update-policy.ts, update-controller.ts), under Node. The
 * updater here is a stand-in for electron-updater, which needs the Electron binary and a
 * release feed — the one boundary this machine cannot reach.
 */
import { describe, expect, it } from 'vitest';
import { createUpdateController, type Updater } from '../../electron/update-controller.ts';
import { isNewerRelease, nextUpdateStep, type UpdateFacts } from '../../electron/update-policy.ts';

const hour = 3_600_000;
const facts = (over: Partial<UpdateFacts>): UpdateFacts => ({
  now: 10 * hour,
  state: 'idle',
  checkedAt: null,
  intervalMs: 6 * hour,
  retryMs: hour / 2,
  saleOpen: false,
  managerAgreed: false,
  ...over,
});

describe('update policy', () => {
  it('offers only newer full releases', () => {
    expect(isNewerRelease('1.2.4', '1.2.3')).toBe(true);
    expect(isNewerRelease('v2.0.0', '1.9.9')).toBe(true);
    expect(isNewerRelease('1.10.0', '1.9.0')).toBe(true); // numbers, not text
    expect(isNewerRelease('1.2.3', '1.2.3')).toBe(false);
    expect(isNewerRelease('1.2.2', '1.2.3')).toBe(false);
    expect(isNewerRelease('1.3.0-beta.1', '1.2.3')).toBe(false);
    expect(isNewerRelease('1.2.0', '1.2.0-beta.2')).toBe(true);
    expect(isNewerRelease('garbage', '1.2.3')).toBe(false);
  });

  it('checks at once the first time, then on the schedule, sooner after a failure', () => {
    expect(nextUpdateStep(facts({}))).toEqual({ kind: 'check' });
    const checked = 9 * hour;
    expect(nextUpdateStep(facts({ checkedAt: checked }))).toEqual({
      kind: 'wait',
      waitingFor: null,
      nextCheckAt: checked + 6 * hour,
    });
    expect(nextUpdateStep(facts({ checkedAt: checked - 6 * hour }))).toEqual({ kind: 'check' });
    expect(nextUpdateStep(facts({ state: 'error', checkedAt: checked }))).toEqual({ kind: 'check' });
    expect(nextUpdateStep(facts({ state: 'error', checkedAt: 10 * hour - 1000 }))).toMatchObject({ kind: 'wait' });
  });

  it('installs a ready update only when a manager agreed and no sale is open', () => {
    const ready = (saleOpen: boolean, managerAgreed: boolean) =>
      nextUpdateStep(facts({ state: 'ready', checkedAt: 0, saleOpen, managerAgreed }));
    expect(ready(false, false)).toMatchObject({ kind: 'wait', waitingFor: 'manager' });
    expect(ready(true, false)).toMatchObject({ kind: 'wait', waitingFor: 'manager' });
    expect(ready(true, true)).toMatchObject({ kind: 'wait', waitingFor: 'sale' });
    expect(ready(false, true)).toEqual({ kind: 'install' });
  });

  it('never starts anything while a check, download or install runs', () => {
    for (const state of ['checking', 'downloading', 'installing', 'unsupported'] as const) {
      expect(nextUpdateStep(facts({ state, saleOpen: false, managerAgreed: true }))).toMatchObject({ kind: 'wait' });
    }
  });
});

/** Stand-in for electron-updater's autoUpdater: records what the controller asked of it. */
function standInUpdater(offered: string | null, options: { failCheck?: boolean } = {}) {
  const calls: string[] = [];
  let progress: (p: { percent: number }) => void = () => {};
  const updater: Updater = {
    async checkForUpdates() {
      calls.push('check');
      if (options.failCheck) throw new Error('feed unreachable');
      return offered ? { updateInfo: { version: offered } } : null;
    },
    async downloadUpdate() {
      calls.push('download');
      progress({ percent: 50.4 });
      return [];
    },
    quitAndInstall() {
      calls.push('install');
    },
    on(_event, listener) {
      progress = listener;
    },
  };
  return { updater, calls };
}

describe('update controller', () => {
  it('checks, downloads in the background, then waits for a manager and for the sale to end', async () => {
    let saleOpen = true;
    let clock = 0;
    const { updater, calls } = standInUpdater('1.1.0');
    const controller = createUpdateController({ updater, current: '1.0.0', saleOpen: () => saleOpen, now: () => clock });
    await controller.tick();
    expect(calls).toEqual(['check', 'download']);
    expect(controller.status()).toMatchObject({ state: 'ready', available: '1.1.0', percent: 100, waitingFor: 'manager' });

    await controller.agree(); // a manager says yes while a sale is open
    expect(calls).not.toContain('install');
    expect(controller.status().waitingFor).toBe('sale');

    clock += 60_000;
    await controller.tick();
    expect(calls).not.toContain('install');

    saleOpen = false; // the sale is completed: the next tick installs
    await controller.tick();
    expect(calls).toEqual(['check', 'download', 'install']);
    expect(controller.status().state).toBe('installing');
  });

  it('does not install without a manager, however long it waits', async () => {
    let clock = 0;
    const { updater, calls } = standInUpdater('1.1.0');
    const controller = createUpdateController({ updater, current: '1.0.0', saleOpen: () => false, now: () => clock });
    for (let i = 0; i < 20; i++) {
      await controller.tick();
      clock += 12 * 3_600_000;
    }
    expect(calls.filter((c) => c === 'install')).toEqual([]);
    expect(calls.filter((c) => c === 'check')).toEqual(['check']); // ready: no need to ask again
  });

  it('stays idle when the feed offers nothing newer, and asks again on schedule', async () => {
    let clock = 0;
    const { updater, calls } = standInUpdater('1.0.0');
    const controller = createUpdateController({ updater, current: '1.0.0', saleOpen: () => false, now: () => clock });
    await controller.tick();
    await controller.tick();
    expect(calls).toEqual(['check']);
    expect(controller.status()).toMatchObject({ state: 'idle', available: null });
    clock += 6 * 3_600_000;
    await controller.tick();
    expect(calls).toEqual(['check', 'check']);
  });

  it('reports a failed check and retries sooner', async () => {
    let clock = 0;
    const { updater, calls } = standInUpdater('1.1.0', { failCheck: true });
    const controller = createUpdateController({
      updater,
      current: '1.0.0',
      saleOpen: () => false,
      now: () => clock,
      retryMs: 60_000,
    });
    await controller.tick();
    expect(controller.status()).toMatchObject({ state: 'error', error: 'feed unreachable' });
    clock += 59_000;
    await controller.tick();
    expect(calls).toEqual(['check']);
    clock += 1_000;
    await controller.tick();
    expect(calls).toEqual(['check', 'check']);
  });

  it('a manager can ask the feed now', async () => {
    const { updater, calls } = standInUpdater(null);
    const controller = createUpdateController({ updater, current: '1.0.0', saleOpen: () => false, now: () => 0 });
    await controller.tick();
    await controller.checkNow();
    expect(calls).toEqual(['check', 'check']);
  });
});
