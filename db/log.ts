/**
 * The till's log: JSON lines in <dataDir>/logs/tilldesk.log, rotated at a size limit
 * (tilldesk.log.1 is the newest old file, .N the oldest kept), so support can read what
 * happened without the log ever filling the disk. Secrets never reach the file: values
 * under secret keys (PINs, tokens, codes, overrides) and the inputs of staff and sync
 * operations are replaced before a line is written, and bearer tokens inside text too.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'info' | 'warn' | 'error';

export const logFileName = 'tilldesk.log';
export const logFolder = (dataDir: string): string => join(dataDir, 'logs');

export interface TillLogOptions {
  dataDir: string;
  /** Rotate before the live file would grow past this many bytes (default 5 MB). */
  maxBytes?: number;
  /** Old files kept beside the live one (default 5). */
  keep?: number;
  now?: () => Date;
  /** Also hand each line here (the browser host prints them to its terminal). */
  echo?: (line: string) => void;
}

export interface TillLog {
  readonly path: string;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** startTill's `log` option: a message and the error that came with it, if any. */
  failure(message: string, error?: unknown): void;
  close(): void;
}

export const redacted = '[redacted]';

/** Keys whose values are secret wherever they appear (compared lower-case, without _ or -). */
const secretKey =
  /^(code|enrolcode|enrolmentcode|override|authorization|cookie|setcookie)$|(pin|pins|pinhash|token|tokens|secret|password)$/;
/** Operations whose inputs carry PINs, codes or tokens: their bodies are never logged. */
const privateOperation = /^(staff|sync)\./;
const bodyKeys = new Set(['input', 'body', 'payload', 'params', 'request']);

const maxString = 2000;
const maxDepth = 6;
const maxItems = 50;

/** Tokens that travel inside text: `Bearer …` headers and `?token=…` addresses. */
export function scrubText(text: string): string {
  const clipped = text.length > maxString ? `${text.slice(0, maxString)}… (${text.length} chars)` : text;
  return clipped
    .replace(/\b(Bearer\s+)[^\s"',;]+/gi, `$1${redacted}`)
    .replace(/([?&#](?:token|code|pin)=)[^&\s"'#]+/gi, `$1${redacted}`);
}

const isSecretKey = (key: string) => secretKey.test(key.toLowerCase().replace(/[_-]/g, ''));

/** A copy of `value` that is safe to write: secrets replaced, errors spelled out, size bounded. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? '[function]' : value;
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    // An error's `code` is ECONNRESET or not_found, never a secret: spelled out, not looked up.
    const { code, reason, params } = value as Error & { code?: unknown; reason?: unknown; params?: unknown };
    const out: Record<string, unknown> = { name: value.name, message: scrubText(value.message) };
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (typeof reason === 'string') out.reason = reason;
    if (params !== undefined) out.params = redact(params, depth + 1, seen);
    if (value.stack) out.stack = scrubText(value.stack);
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, maxItems).map((item) => redact(item, depth + 1, seen));
    return value.length > maxItems ? [...items, `… ${value.length - maxItems} more`] : items;
  }
  const record = value as Record<string, unknown>;
  const operation = [record.op, record.operation, record.name].find((v) => typeof v === 'string' && privateOperation.test(v));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    if (inner === undefined) continue;
    out[key] = isSecretKey(key) || (operation && bodyKeys.has(key)) ? redacted : redact(inner, depth + 1, seen);
  }
  return out;
}

export function openTillLog(options: TillLogOptions): TillLog {
  const folder = logFolder(options.dataDir);
  const path = join(folder, logFileName);
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 5;
  const now = options.now ?? (() => new Date());
  let fd: number | null = null;
  let size = 0;
  let broken = false;

  const open = (): number => {
    mkdirSync(folder, { recursive: true });
    const opened = openSync(path, 'a');
    size = statSync(path).size;
    return opened;
  };

  const rotate = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
    rmSync(`${path}.${keep}`, { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(`${path}.${n}`, `${path}.${n + 1}`);
      } catch {
        // that generation does not exist yet
      }
    }
    if (keep > 0) renameSync(path, `${path}.1`);
    else rmSync(path, { force: true });
  };

  const write = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    const entry: Record<string, unknown> = { at: now().toISOString(), level, msg: scrubText(message) };
    for (const [key, value] of Object.entries(redact(fields) as Record<string, unknown>)) if (!(key in entry)) entry[key] = value;
    const line = `${JSON.stringify(entry)}\n`;
    options.echo?.(line.trimEnd());
    // Logging must never take a sale down with it: a full or read-only disk loses log lines only.
    try {
      fd ??= open();
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) {
        rotate();
        fd = open();
      }
      writeSync(fd, line);
      size += bytes;
      broken = false;
    } catch (error) {
      if (!broken) (options.echo ?? console.error)(`[tilldesk] cannot write ${path}: ${String(error)}`);
      broken = true;
      const stale = fd;
      fd = null;
      try {
        if (stale !== null) closeSync(stale);
      } catch {
        // already gone; the next line opens the file again
      }
    }
  };

  return {
    path,
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    failure: (message, error) => write('error', message, error === undefined ? {} : { error }),
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
