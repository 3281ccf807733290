/**
 * A write the disk refuses (read-only file, disk full, I/O error) or a damaged page is not a
 * bug: it becomes a typed `unavailable` error the cashier can read, the transaction has
 * already rolled back whole (SQLite and better-sqlite3 see to that), and the same call works
 * again once the fault is gone.
 */
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TillError } from '../shared/errors.ts';

export type StoreFault = 'read_only' | 'disk_full' | 'io_error' | 'damaged' | 'busy';

/** Below this much free space a failed write is put down to a full disk. */
const nearlyFullBytes = 1024 * 1024;

export function sqliteCode(error: unknown): string | null {
  return error instanceof Database.SqliteError ? error.code : null;
}

/**
 * SQLite reports an EPERM/EROFS write or a full disk behind some paths as a plain I/O error;
 * ask the file system which it was.
 */
function diagnose(path: string): StoreFault | null {
  const folder = dirname(path);
  for (const file of [path, `${path}-wal`, folder]) {
    if (!existsSync(file)) continue;
    try {
      accessSync(file, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS' || code === 'EPERM' || code === 'EACCES') return 'read_only';
    }
  }
  try {
    const fs = statfsSync(folder);
    if (fs.bavail * fs.bsize < nearlyFullBytes) return 'disk_full';
  } catch {
    // The folder is gone or unreadable: an I/O error is the honest answer.
  }
  return null;
}

/** Which fault a thrown error is, or null when it is not the store's (a bug, a business rule). */
export function storeFault(error: unknown, path: string): StoreFault | null {
  const code = sqliteCode(error) ?? '';
  if (code.startsWith('SQLITE_FULL')) return 'disk_full';
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return diagnose(path) ?? 'io_error';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'damaged';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  return null;
}

/** The typed error for a store fault, or null when `error` is something else. */
export function storeError(error: unknown, path: string): TillError | null {
  if (error instanceof TillError) return null;
  const fault = storeFault(error, path);
  const sqlite = sqliteCode(error) ?? 'unknown';
  switch (fault) {
    case 'read_only':
      return new TillError(
        'unavailable',
        'store_read_only',
        `The till's data file ${path} cannot be written (read-only file, folder or disk): this was not saved. Fix the permission or the disk and try again.`,
        { path },
      );
    case 'disk_full':
      return new TillError(
        'unavailable',
        'disk_full',
        `The disk holding ${dirname(path)} is full: this was not saved. Free some space and try again.`,
        { folder: dirname(path) },
      );
    case 'io_error':
      return new TillError(
        'unavailable',
        'store_io_error',
        `The disk failed to read or write ${path} (${sqlite}): this was not saved. Try again; if it keeps failing, check the disk.`,
        { path, code: sqlite },
      );
    case 'damaged':
      return new TillError(
        'unavailable',
        'store_damaged',
        `The till's data file ${path} is damaged (${sqlite}). Restart Tilldesk to restore the newest backup.`,
        { path, code: sqlite },
      );
    case 'busy':
      return new TillError('unavailable', 'store_busy', `Another program is holding ${path}; try again in a moment.`, { path });
    default:
      return null;
  }
}

type AnyHandler = (input: never) => unknown;

/**
 * Every handler, with store faults turned into typed errors. The one place all calls pass on
 * their way to the store, whichever transport brought them.
 */
export function refuseStoreFaults<H extends Record<string, AnyHandler>>(
  handlers: H,
  path: string,
  onFault: (name: string, error: TillError, cause: unknown) => void = () => {},
): H {
  const guard = (error: unknown, name: string): never => {
    const typed = storeError(error, path);
    if (!typed) throw error;
    onFault(name, typed, error);
    throw typed;
  };
  const wrapped: Record<string, AnyHandler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    wrapped[name] = (input: never) => {
      try {
        const result = handler(input);
        return result instanceof Promise ? result.catch((error: unknown) => guard(error, name)) : result;
      } catch (error) {
        return guard(error, name);
      }
    };
  }
  return wrapped as H;
}
