import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BackupFile, backupOperations } from '../shared/backup.ts';
import { TillError } from '../shared/errors.ts';
import type { HandlersFor } from './dispatch.ts';
import { loadMigrations } from './migrate.ts';
import { databaseFileName } from './store.ts';
import type { Till } from './till.ts';

const backupName = /^tilldesk-(\d{8}-\d{6}(?:-\d+)?)\.db$/;

export function backupFolder(till: Till): string {
  return till.settings().backupFolder || join(till.store.dataDir, 'backups');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export function listBackups(folder: string): BackupFile[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => backupName.test(f))
    .map((file) => {
      const path = join(folder, file);
      const stat = statSync(path);
      return { file, path, bytes: stat.size, createdAt: stat.mtime.toISOString() };
    })
    .sort((a, b) => b.file.localeCompare(a.file));
}

/**
 * A consistent copy of the live store through SQLite's online backup API: sales go on
 * while it runs. Old copies beyond `backupKeep` are removed, newest kept.
 */
export async function backupNow(till: Till): Promise<BackupFile> {
  const folder = backupFolder(till);
  mkdirSync(folder, { recursive: true });
  let file = `tilldesk-${stamp(till.now())}.db`;
  for (let n = 2; existsSync(join(folder, file)); n++) file = `tilldesk-${stamp(till.now())}-${n}.db`;
  const path = join(folder, file);
  try {
    await till.db.backup(path);
  } catch (error) {
    rmSync(path, { force: true });
    throw new TillError('unavailable', 'backup_failed', `Backup to ${folder} failed: ${String(error)}`, { folder });
  }
  for (const old of listBackups(folder).slice(till.settings().backupKeep)) rmSync(old.path, { force: true });
  const stat = statSync(path);
  return { file, path, bytes: stat.size, createdAt: stat.mtime.toISOString() };
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
 * Replaces the store in `dataDir` with a backup. Run with the store closed (at start-up).
 * The backup is checked first (integrity, schema not newer than this app); the current
 * file is kept beside it as tilldesk.db.before-restore-<time>, never deleted.
 */
export function restoreBackup(dataDir: string, backupPath: string, now = new Date()): { keptAs: string | null } {
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
    const known = loadMigrations().at(-1)?.version ?? 0;
    if (version > known) {
      throw new TillError('conflict', 'newer_database', `Backup has schema ${version}; this version knows ${known}`, {
        found: version,
        known,
      });
    }
  } finally {
    check.close();
  }
  const live = join(dataDir, databaseFileName);
  let keptAs: string | null = null;
  if (existsSync(live)) {
    keptAs = `${live}.before-restore-${stamp(now)}`;
    renameSync(live, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(live + suffix)) renameSync(live + suffix, `${keptAs ?? live}${suffix}`);
  }
  copyFileSync(backupPath, live);
  return { keptAs };
}

export function backupHandlers(till: Till): HandlersFor<typeof backupOperations> {
  return {
    'backup.now': () => backupNow(till),
    'backup.list': () => listBackups(backupFolder(till)),
  };
}
