import { z } from 'zod';
import { operation } from './contract.ts';
import type { Language } from './settings.ts';

export interface BackupFile {
  file: string;
  path: string;
  bytes: number;
  createdAt: string;
}

/** What the full `PRAGMA quick_check` found; it runs in the background after the till is up. */
export interface IntegrityReport {
  /** `failed`: the check itself could not run (the file vanished, the disk failed). */
  state: 'waiting' | 'checking' | 'ok' | 'damaged' | 'failed';
  /** The first problems quick_check reported (or why it could not run); empty when ok. */
  problems: string[];
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Why a till could not open its store. The first four are damage (restore a backup); the
 * rest are the machine's or the version's (fix it, then try again).
 */
export const storeProblems = [
  'not_a_database', // the file is something else, or its header was overwritten
  'truncated', // the file is shorter than its own header says
  'empty', // the file exists with no bytes in it
  'damaged', // SQLite found broken pages (at open, or a check found them last run)
  'read_only', // the file or its folder cannot be written
  'disk_full',
  'io_error',
  'newer_database', // written by a newer Tilldesk
  'migration_changed',
  'cannot_open', // anything else; the detail says what
] as const;
export type StoreProblem = (typeof storeProblems)[number];

export const damageProblems: readonly StoreProblem[] = ['not_a_database', 'truncated', 'empty', 'damaged'];

/** The till as the host started it: serving normally, or in recovery with the reason why. */
export type StartState =
  | { state: 'running' }
  | {
      state: 'recovery';
      problem: StoreProblem;
      /** SQLite's or the system's own words, for support. */
      detail: string;
      /** The store file that failed. */
      path: string;
      since: string;
      backupFolder: string;
      /** Newest first. */
      backups: BackupFile[];
      /** Read from the damaged store when it still can be, else null (the screen asks the browser). */
      language: Language | null;
    };

export interface RestoreResult {
  restored: BackupFile;
  /** Where the replaced (damaged) file was kept, or null when there was none. */
  keptAs: string | null;
  /** Newer backups that failed their check and were passed over. */
  skipped: string[];
  /** Running again, or still in recovery if the restored store would not open either. */
  after: StartState;
}

const backupFileName = z
  .string()
  .regex(/^tilldesk-\d{8}-\d{6}(?:-\d+)?\.db$/, 'A backup file name such as tilldesk-20260101-090000.db');

export const backupOperations = {
  'backup.now': operation<BackupFile>()(z.object({}).strict(), 'staff'),
  'backup.list': operation<BackupFile[]>()(z.object({}).strict(), 'staff'),
  /** The background quick_check's findings (also in app.health). */
  'backup.integrity': operation<IntegrityReport>()(z.object({}).strict(), 'staff'),
  /** Running, or in recovery and why: asked before sign-in, since nobody can sign in to a damaged store. */
  'backup.startState': operation<StartState>()(z.object({}).strict()),
  /**
   * In recovery only: restore the named backup, or the newest one that passes its check, and
   * start the till on it. Open to anyone because no one can sign in; the damaged file is kept.
   */
  'backup.restore': operation<RestoreResult>()(z.object({ file: backupFileName.optional() }).strict()),
  /** In recovery only: try to open the store again (after freeing disk space, fixing permissions). */
  'backup.retryStart': operation<StartState>()(z.object({}).strict()),
  /**
   * In recovery only, when no backup will do: set the damaged file aside (kept, renamed) and
   * start with a new, empty store (first-run setup). Never offered silently.
   */
  'backup.startEmpty': operation<StartState>()(z.object({ confirm: z.literal(true) }).strict()),
};
