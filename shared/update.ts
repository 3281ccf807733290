/**
 * Updates of the desktop app (README "Updates"): checked on a schedule, downloaded in the
 * background, installed only when no sale is open and a manager agrees. Browser mode and the
 * server are updated by whoever runs them, so there the status is `unsupported`.
 */
import { z } from 'zod';
import { operation } from './contract.ts';

export type UpdateState = 'unsupported' | 'idle' | 'checking' | 'downloading' | 'ready' | 'installing' | 'error';

export interface UpdateStatus {
  state: UpdateState;
  /** The running version. */
  current: string;
  /** The newer version the feed offers (downloading, ready, installing). */
  available: string | null;
  /** 0–100 while downloading. */
  percent: number | null;
  /** When the feed was last asked (ISO), and when it will be asked next. */
  checkedAt: string | null;
  nextCheckAt: string | null;
  /** Why a ready update is not installed yet. */
  waitingFor: 'manager' | 'sale' | null;
  /** The last failure in words, for `error`. */
  error: string | null;
}

/** Nothing known yet beyond the running version. */
export function quietUpdateStatus(state: 'unsupported' | 'idle', current: string): UpdateStatus {
  return { state, current, available: null, percent: null, checkedAt: null, nextCheckAt: null, waitingFor: null, error: null };
}

const empty = z.object({}).strict();

export const updateOperations = {
  'update.status': operation<UpdateStatus>()(empty, 'staff'),
  'update.check': operation<UpdateStatus>()(empty, 'manager'),
  /** The manager agrees: install as soon as no sale is open (now, if none is). */
  'update.install': operation<UpdateStatus>()(empty, 'manager'),
};
