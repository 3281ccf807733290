/**
 * The checks a till can afford before it serves: the file's header and length, and what
 * SQLite says when the schema is read. The full `PRAGMA quick_check` reads every page (5 s
 * at a million products), so it runs later, in the background (integrity-check.ts); when it
 * finds damage it leaves a note beside the store, and the next start goes to recovery.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { StoreProblem } from '../shared/backup.ts';
import { TillError } from '../shared/errors.ts';
import { sqliteCode, storeFault } from './store-errors.ts';

export interface FoundProblem {
  problem: StoreProblem;
  detail: string;
}

/** Thrown by openStore when the file cannot be served; start.ts turns it into the recovery state. */
export class StoreProblemError extends Error {
  readonly found: FoundProblem;
  constructor(found: FoundProblem) {
    super(`${found.problem}: ${found.detail}`);
    this.name = 'StoreProblemError';
    this.found = found;
  }
}

const magic = 'SQLite format 3\0';
const headerBytes = 100;
/** A WAL file holds frames beyond its 32-byte header only when commits wait in it. */
const walHeaderBytes = 32;

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(headerBytes);
  const fd = openSync(path, 'r');
  try {
    return header.subarray(0, readSync(fd, header, 0, headerBytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Looks at the file without SQLite: is it a database at all, and as long as its header says?
 * Null when it looks whole (or does not exist yet: a new till).
 */
export function inspectFile(path: string): FoundProblem | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return null;
  if (stat.size === 0) return { problem: 'empty', detail: `${path} is 0 bytes long` };
  const header = readHeader(path);
  if (header.length < headerBytes || header.toString('latin1', 0, magic.length) !== magic) {
    return { problem: 'not_a_database', detail: `${path} does not start with SQLite's header` };
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return { problem: 'not_a_database', detail: `${path} has an impossible page size (${rawPageSize})` };
  }
  // The page count in the header is current when these two counters agree (SQLite ≥ 3.7).
  const pages = header.readUInt32BE(28);
  const countValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  const walSize = statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  const expected = pages * pageSize;
  // With commits waiting in the WAL the file may legitimately be shorter; SQLite judges that case.
  if (countValid && walSize <= walHeaderBytes && stat.size < expected) {
    return { problem: 'truncated', detail: `${path} is ${stat.size} bytes; its header says ${expected}` };
  }
  if (stat.size % pageSize !== 0) {
    return { problem: 'truncated', detail: `${path} is ${stat.size} bytes, not a whole number of ${pageSize}-byte pages` };
  }
  return null;
}

/** What went wrong opening the store, in the recovery screen's terms. */
export function problemAtOpen(error: unknown, path: string): FoundProblem {
  if (error instanceof StoreProblemError) return error.found;
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof TillError && (error.reason === 'newer_database' || error.reason === 'migration_changed')) {
    return { problem: error.reason, detail };
  }
  const code = sqliteCode(error);
  if (code === 'SQLITE_NOTADB') return { problem: 'not_a_database', detail: `${code}: ${detail}` };
  const fault = storeFault(error, path);
  if (fault === 'damaged') {
    // SQLite calls a file shorter than its header "malformed"; say which it is when the bytes show it.
    const truncated = inspectFile(path)?.problem === 'truncated';
    return { problem: truncated ? 'truncated' : 'damaged', detail: `${code}: ${detail}` };
  }
  if (fault === 'read_only' || fault === 'disk_full') return { problem: fault, detail: `${code ?? ''} ${detail}`.trim() };
  if (fault === 'io_error') return { problem: 'io_error', detail: `${code}: ${detail}` };
  const errno = (error as NodeJS.ErrnoException).code;
  if (errno === 'EROFS' || errno === 'EACCES' || errno === 'EPERM') return { problem: 'read_only', detail };
  if (errno === 'ENOSPC') return { problem: 'disk_full', detail };
  return { problem: 'cannot_open', detail: code ? `${code}: ${detail}` : detail };
}

/** The note a failed background check leaves beside the store: `tilldesk.db.damaged`. */
export const damageNotePath = (path: string): string => `${path}.damaged`;

export interface DamageNote {
  checkedAt: string;
  problems: string[];
}

export function writeDamageNote(path: string, note: DamageNote): void {
  writeFileSync(damageNotePath(path), `${JSON.stringify(note, null, 2)}\n`);
}

export function readDamageNote(path: string): DamageNote | null {
  const notePath = damageNotePath(path);
  if (!existsSync(notePath)) return null;
  try {
    return JSON.parse(readFileSync(notePath, 'utf8')) as DamageNote;
  } catch {
    // A note that cannot be read still says the last check failed.
    return { checkedAt: statSync(notePath).mtime.toISOString(), problems: ['(the note of the last check is unreadable)'] };
  }
}

export function clearDamageNote(path: string): void {
  rmSync(damageNotePath(path), { force: true });
}

/** Before SQLite touches the file: the header check, then the note of a failed background check. */
export function refuseDamagedFile(path: string): void {
  const found = inspectFile(path);
  if (found) throw new StoreProblemError(found);
  const note = readDamageNote(path);
  if (note && existsSync(path)) {
    throw new StoreProblemError({
      problem: 'damaged',
      detail: `The check at ${note.checkedAt} found: ${note.problems.slice(0, 3).join('; ')}`,
    });
  }
}
