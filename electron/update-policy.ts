/**
 * When to check, download and install an update: pure, so it is tested under Node
 * (test/unit/update-policy.test.ts). The rule the shop relies on: an update is installed only
 * when a manager has agreed and no sale is open at the till, because installing restarts the app.
 */
import type { UpdateState, UpdateStatus } from '../shared/update.ts';

/** Is `candidate` a newer release than `current`? Pre-releases are never offered to shops. */
export function isNewerRelease(candidate: string, current: string): boolean {
  const parse = (version: string) => {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+.*)?$/.exec(version.trim());
    return match ? { parts: [Number(match[1]), Number(match[2]), Number(match[3])], pre: Boolean(match[4]) } : null;
  };
  const next = parse(candidate);
  const now = parse(current);
  if (!next || !now || next.pre) return false;
  for (let i = 0; i < 3; i++) {
    const a = next.parts[i] ?? 0;
    const b = now.parts[i] ?? 0;
    if (a !== b) return a > b;
  }
  return now.pre; // 1.2.0 is newer than 1.2.0-beta.1
}

export interface UpdateFacts {
  now: number;
  state: UpdateState;
  /** When the feed was last asked (ms), or never. */
  checkedAt: number | null;
  /** Between two checks; after a failure the next check comes sooner, see retryMs. */
  intervalMs: number;
  retryMs: number;
  saleOpen: boolean;
  managerAgreed: boolean;
}

export type UpdateStep =
  | { kind: 'check' }
  | { kind: 'install' }
  | { kind: 'wait'; waitingFor: UpdateStatus['waitingFor']; nextCheckAt: number | null };

export function nextUpdateStep(facts: UpdateFacts): UpdateStep {
  const { state } = facts;
  if (state === 'ready') {
    if (!facts.managerAgreed) return { kind: 'wait', waitingFor: 'manager', nextCheckAt: null };
    if (facts.saleOpen) return { kind: 'wait', waitingFor: 'sale', nextCheckAt: null };
    return { kind: 'install' };
  }
  // Busy: a check or download is running, or the app is restarting into the new version.
  if (state === 'checking' || state === 'downloading' || state === 'installing' || state === 'unsupported') {
    return { kind: 'wait', waitingFor: null, nextCheckAt: null };
  }
  const gap = state === 'error' ? facts.retryMs : facts.intervalMs;
  const due = facts.checkedAt === null ? facts.now : facts.checkedAt + gap;
  if (facts.now >= due) return { kind: 'check' };
  return { kind: 'wait', waitingFor: null, nextCheckAt: due };
}
