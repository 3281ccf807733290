import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BackupFile, backupOperations, RestoreResult } from '../shared/backup.ts';
import { TillError } from '../shared/errors.ts';
import { type Language, languages } from '../shared/settings.ts';
import type { HandlersFor } from './dispatch.ts';
import { damageNotePath } from './integrity.ts';
import { loadMigrations } from './migrate.ts';
import { databaseFileName } from './store.ts';
import type { Till } from './till.ts';

/**
 * Files the till names `<prefix>-<yyyymmdd-hhmmss>[-n]<ext>` (backups, diagnostics bundles):
 * a second file in the same second gets -2, then -3…, and newest first compares the time,
 * then n as a number (so -10 is newer than -9).
 */
export function stampedFiles(prefix: string, ext: string) {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // n is bounded so n + 1 is always a new name.
  const pattern = new RegExp(`^${literal(prefix)}-(\\d{8}-\\d{6})(?:-(\\d{1,9}))?${literal(ext)}$`);
  const parse = (file: string) => {
    const match = pattern.exec(file);
    return match ? { time: match[1] ?? '', n: Number(match[2] ?? 1) } : null;
  };
  return {
    matches: (file: string) => pattern.test(file),
    newestFirst(a: string, b: string): number {
      const x = parse(a) ?? { time: '', n: 0 };
      const y = parse(b) ?? { time: '', n: 0 };
      return y.time.localeCompare(x.time) || y.n - x.n;
    },
    /**
     * Creates an empty file named for `at` and returns its name: numbered past every file of
     * that second already in the folder, so it never takes a number that retention freed
     * (which would sort it below its elders), and created exclusively, so two calls at once
     * never get the same file.
     */
    reserve(folder: string, at: Date): string {
      const time = stamp(at);
      let n = 1;
      for (const file of readdirSync(folder)) {
        const found = parse(file);
        if (found?.time === time) n = Math.max(n, found.n + 1);
      }
      for (; ; n++) {
        const file = n === 1 ? `${prefix}-${time}${ext}` : `${prefix}-${time}-${n}${ext}`;
        try {
          closeSync(openSync(join(folder, file), 'wx'));
          return file;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    },
  };
}

const backupNames = stampedFiles('tilldesk', '.db');

export function backupFolder(till: Till): string {
  return till.settings().backupFolder || join(till.store.dataDir, 'backups');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The backup folder setting names something the till cannot write a file into (a file, no permission, a full disk…). */
export const backupFailed = (folder: string, error: unknown) =>
  new TillError('unavailable', 'backup_failed', `The backup could not be written to ${folder}: ${errorText(error)}`, {
    folder,
  });

/** Newest first; an empty list when the folder does not exist yet. */
export function listBackups(folder: string): BackupFile[] {
  let files: string[];
  try {
    files = existsSync(folder) ? readdirSync(folder) : [];
  } catch (error) {
    // A file where the folder should be, or a folder the till may not read: the setting to fix.
    throw new TillError(
      'unavailable',
      'backup_folder_unreadable',
      `The backup folder ${folder} cannot be read: ${errorText(error)}`,
      { folder },
    );
  }
  return files
    .filter(backupNames.matches)
    .flatMap((file) => {
      const path = join(folder, file);
      // Removed between the listing and here (another backup's retention): not a backup any more.
      const stat = statSync(path, { throwIfNoEntry: false });
      return stat ? [{ file, path, bytes: stat.size, createdAt: stat.mtime.toISOString() }] : [];
    })
    .sort((a, b) => backupNames.newestFirst(a.file, b.file));
}

function removeQuietly(path: string): void {
  try {
    if (path) rmSync(path, { force: true });
  } catch {
    // Left for the next retention, or for a person: never the reason a call fails.
  }
}

/** Backups being written right now: another backup's retention must not remove them. */
const writing = new Set<string>();

/** Removes the oldest copies so `keep` remain, counting `kept` (just written) and never one still being written. */
function prune(folder: string, kept: string, keep: number): void {
  try {
    const others = listBackups(folder).filter((b) => b.path !== kept && !writing.has(b.path));
    for (const old of others.slice(keep - 1)) removeQuietly(old.path);
  } catch {
    // The backup is written: a folder that cannot be listed now is pruned next time.
  }
}

/**
 * A consistent copy of the live store through SQLite's online backup API: sales go on
 * while it runs. Then old copies are removed so `backupKeep` remain, the new one always
 * among them (the clock may have gone back: it is kept even when it is not the newest).
 */
export async function backupNow(till: Till): Promise<BackupFile> {
  const folder = backupFolder(till);
  let path = '';
  let backup: BackupFile;
  try {
    mkdirSync(folder, { recursive: true });
    const file = backupNames.reserve(folder, till.now());
    path = join(folder, file);
    writing.add(path);
    await till.db.backup(path);
    const stat = statSync(path);
    backup = { file, path, bytes: stat.size, createdAt: stat.mtime.toISOString() };
  } catch (error) {
    removeQuietly(path);
    throw error instanceof TillError ? error : backupFailed(folder, error);
  } finally {
    writing.delete(path);
  }
  // A store known to be damaged copies its damage: keep every older copy until it is restored.
  if (till.store.check.state !== 'damaged') prune(folder, path, till.settings().backupKeep);
  return backup;
}

/** Backs up every `backupEveryMinutes` (0 = never); returns a stop function. */
export function scheduleBackups(till: Till, onError: (error: unknown) => void): () => void {
  const minutes = till.settings().backupEveryMinutes;
  if (minutes === 0) return () => {};
  const timer = setInterval(() => backupNow(till).catch(onError), minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Moves the store file (and its -wal, -shm and damage note) aside as
 * `tilldesk.db.<why>-<time>`, never deleting it; returns the new name, or null when there was no file.
 */
function setAside(dataDir: string, why: string, now: Date): string | null {
  const live = join(dataDir, databaseFileName);
  let keptAs: string | null = null;
  if (existsSync(live)) {
    // Two restores within a second must not overwrite the first file kept.
    keptAs = `${live}.${why}-${stamp(now)}`;
    for (let n = 2; existsSync(keptAs); n++) keptAs = `${live}.${why}-${stamp(now)}-${n}`;
    renameSync(live, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) {
    if (!existsSync(live + suffix)) continue;
    if (keptAs) renameSync(live + suffix, keptAs + suffix);
    else rmSync(live + suffix);
  }
  // The note described the file set aside; the new one has not been checked yet.
  const note = damageNotePath(live);
  if (existsSync(note)) {
    if (keptAs) renameSync(note, damageNotePath(keptAs));
    else rmSync(note);
  }
  return keptAs;
}

/** Refuses a backup that is damaged or newer than this app, before the live file is touched. */
function checkBackup(backupPath: string, migrationsDir: string | undefined): void {
  let check: Database.Database;
  try {
    check = new Database(backupPath, { readonly: true, fileMustExist: true });
  } catch {
    throw new TillError('not_found', 'backup_unreadable', `Cannot open backup ${backupPath}`, { path: backupPath });
  }
  try {
    let integrity: unknown;
    try {
      integrity = check.pragma('integrity_check', { simple: true });
    } catch (error) {
      integrity = String(error);
    }
    if (integrity !== 'ok') {
      throw new TillError('rejected', 'backup_corrupt', `Backup ${backupPath} is damaged: ${String(integrity)}`, {
        path: backupPath,
      });
    }
    const version = check.pragma('user_version', { simple: true }) as number;
    const known = loadMigrations(migrationsDir).at(-1)?.version ?? 0;
    // An empty file (a backup cut off before its first page, its name already taken) is no store.
    if (version < 1) {
      throw new TillError('rejected', 'backup_corrupt', `Backup ${backupPath} holds no Tilldesk data`, { path: backupPath });
    }
    if (version > known) {
      throw new TillError('conflict', 'newer_database', `Backup has schema ${version}; this version knows ${known}`, {
        found: version,
        known,
      });
    }
  } finally {
    check.close();
  }
}

/**
 * Replaces the store in `dataDir` with a backup. Run with the store closed (at start-up).
 * The backup is checked first (integrity, schema not newer than this app); the current
 * file is kept beside it as tilldesk.db.before-restore-<time>, never deleted.
 */
export function restoreBackup(
  dataDir: string,
  backupPath: string,
  now = new Date(),
  migrationsDir?: string,
): { keptAs: string | null } {
  checkBackup(backupPath, migrationsDir);
  const keptAs = setAside(dataDir, 'before-restore', now);
  copyFileSync(backupPath, join(dataDir, databaseFileName));
  return { keptAs };
}

/** Why a backup is passed over for an older one, rather than the restore stopping. */
const unusableBackup = new Set(['backup_unreadable', 'backup_corrupt', 'newer_database']);

/**
 * Restores the named backup, or the newest one that passes its check (newer ones that fail
 * are skipped and named), with the store closed.
 */
export function restoreNewest(options: {
  dataDir: string;
  folder: string;
  /** One backup by name; otherwise the newest that passes. */
  file?: string | undefined;
  now?: Date;
  /** Where this app's migrations are (Electron passes its own): a backup newer than them is refused. */
  migrationsDir?: string | undefined;
}): Omit<RestoreResult, 'after'> {
  const { dataDir, folder, file, now = new Date(), migrationsDir } = options;
  const candidates = listBackups(folder).filter((b) => file === undefined || b.file === file);
  if (candidates.length === 0) {
    throw file
      ? new TillError('not_found', 'backup_not_found', `No backup ${file} in ${folder}`, { file, folder })
      : new TillError('not_found', 'no_backups', `There are no backups in ${folder}`, { folder });
  }
  const skipped: string[] = [];
  for (const backup of candidates) {
    try {
      const { keptAs } = restoreBackup(dataDir, backup.path, now, migrationsDir);
      return { restored: backup, keptAs, skipped };
    } catch (error) {
      if (!(error instanceof TillError && unusableBackup.has(error.reason)) || file !== undefined) throw error;
      skipped.push(backup.file);
    }
  }
  throw new TillError('rejected', 'no_good_backup', `None of the ${skipped.length} backups in ${folder} passed its check`, {
    folder,
    count: skipped.length,
  });
}

/** Sets the store file aside so the till can start afresh (first-run setup); returns where it went. */
export function setAsideForFreshStart(dataDir: string, now = new Date()): string | null {
  return setAside(dataDir, 'set-aside', now);
}

/**
 * What recovery can still learn from a store it cannot open: the backup folder and the
 * language, if the settings table is readable. Never throws.
 */
export function recoveryHints(dataDir: string): { backupFolder: string; language: Language | null } {
  const fallback = { backupFolder: join(dataDir, 'backups'), language: null };
  let db: Database.Database | null = null;
  try {
    db = new Database(join(dataDir, databaseFileName), { readonly: true, fileMustExist: true });
    const rows = db.prepare("SELECT key, value FROM setting WHERE key IN ('backupFolder', 'language')").all() as {
      key: string;
      value: string;
    }[];
    const value = (key: string) => {
      const row = rows.find((r) => r.key === key);
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    };
    const folder = value('backupFolder');
    const language = value('language');
    return {
      backupFolder: typeof folder === 'string' && folder !== '' ? folder : fallback.backupFolder,
      language: (languages as readonly unknown[]).includes(language) ? (language as Language) : null,
    };
  } catch {
    return fallback;
  } finally {
    try {
      db?.close();
    } catch {
      // Nothing to close on a file that never opened.
    }
  }
}

const notInRecovery = () =>
  new TillError('conflict', 'not_in_recovery', 'The store is open: restoring is offered when it cannot be opened');

/** A till that opened: recovery's operations say so (start.ts answers them while in recovery). */
export function backupHandlers(till: Till): HandlersFor<typeof backupOperations> {
  return {
    'backup.now': () => backupNow(till),
    'backup.list': () => listBackups(backupFolder(till)),
    'backup.integrity': () => till.store.check,
    'backup.startState': () => ({ state: 'running' }),
    'backup.retryStart': () => ({ state: 'running' }),
    'backup.restore': () => {
      throw notInRecovery();
    },
    'backup.startEmpty': () => {
      throw notInRecovery();
    },
  };
}
