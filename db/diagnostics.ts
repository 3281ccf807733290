/**
 * "Export diagnostics": one .tar.gz in <data folder>/diagnostics/ that a manager can send to
 * support — the till's logs and a report.json (versions, integrity and ledger checks, sync
 * state and outbox, settings, backups). Never PINs, PIN hashes, tokens or enrolment codes:
 * the logs are redacted as they are written, settings and errors go through the same
 * redaction here, and as a last guard every secret the store holds is cut from the bundle.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DiagnosticsExport, diagnosticsOperations } from '../shared/diagnostics.ts';
import { TillError } from '../shared/errors.ts';
import { tillSettingsSchema } from '../shared/settings.ts';
import type { Runtime } from './app.ts';
import { writeAudit } from './audit.ts';
import { backupFolder, listBackups, stampedFiles } from './backup.ts';
import type { HandlersFor } from './dispatch.ts';
import { logFileName, logFolder, redact, redacted } from './log.ts';
import { readSettings } from './settings.ts';
import { requireStaff } from './staff-access.ts';
import { checkLedger } from './stock.ts';
import { readSyncState } from './sync.ts';
import type { Till } from './till.ts';

export const diagnosticsFolder = (dataDir: string): string => join(dataDir, 'diagnostics');
/** Older bundles beyond this many are removed: each may hold 30 MB of logs. */
const bundlesKept = 10;
const bundleNames = stampedFiles('tilldesk-diagnostics', '.tar.gz');

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

const rows = <T>(till: Till, sql: string, ...params: unknown[]) => till.db.prepare(sql).all(...params) as T[];
const one = <T>(till: Till, sql: string) => till.db.prepare(sql).get() as T;

function fileSize(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.size ?? null;
}

/** The log files now (one may rotate away between the listing and the read). */
function logFiles(dataDir: string): { file: string; path: string }[] {
  const folder = logFolder(dataDir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.startsWith(logFileName))
    .map((file) => ({ file, path: join(folder, file) }));
}

/** The backups, or why they cannot be listed: a broken backup folder is a finding, not a reason to send nothing. */
function backupsReport(till: Till) {
  const folder = backupFolder(till);
  try {
    return { folder, files: listBackups(folder), error: null };
  } catch (error) {
    return { folder, files: [], error: error instanceof Error ? error.message : String(error) };
  }
}

/** What support reads first: every fact that says whether this till and its store are healthy. */
export function diagnosticsReport(till: Till, runtime: Runtime) {
  const { store } = till;
  const integrity = rows<{ integrity_check: string }>(till, 'PRAGMA integrity_check(100)').map((r) => r.integrity_check);
  const differences = checkLedger(till);
  const sync = readSyncState(till);
  const outbox = rows<{ status: string; n: number; oldest: string | null; newest: string | null }>(
    till,
    'SELECT status, count(*) AS n, min(occurred_at) AS oldest, max(occurred_at) AS newest FROM outbox GROUP BY status',
  );
  const known = new Set(Object.keys(tillSettingsSchema.shape));
  const otherSettings = Object.fromEntries(
    rows<{ key: string; value: string }>(till, 'SELECT key, value FROM setting ORDER BY key')
      .filter((r) => !known.has(r.key))
      .map((r) => [r.key, r.value]),
  );
  const logs = logFiles(store.dataDir).flatMap(({ file, path }) => {
    const bytes = fileSize(path);
    return bytes === null ? [] : [{ file, bytes }];
  });
  return {
    createdAt: till.now().toISOString(),
    app: { name: 'Tilldesk', version: runtime.version, transport: runtime.transport },
    runtime: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      platform: platform(),
      arch: arch(),
      osRelease: release(),
      uptimeSeconds: Math.round(process.uptime()),
      memory: process.memoryUsage(),
    },
    store: {
      dataDir: store.dataDir,
      path: store.path,
      installationId: till.deviceId,
      schemaVersion: store.schemaVersion,
      sqliteVersion: one<{ v: string }>(till, 'SELECT sqlite_version() AS v').v,
      migrations: rows<{ version: number; name: string; appliedAt: string }>(
        till,
        'SELECT version, name, applied_at AS appliedAt FROM schema_migration ORDER BY version',
      ),
      /** The store's own check since it opened ("ok", "waiting", "checking", or problems found). */
      integrityAtOpen: store.integrity,
      /** PRAGMA integrity_check run for this report: the full check, now. */
      integrityCheck: integrity,
      ok: integrity.length === 1 && integrity[0] === 'ok',
      journalMode: String(till.db.pragma('journal_mode', { simple: true })),
      synchronous: String(till.db.pragma('synchronous', { simple: true })),
      pageSize: till.db.pragma('page_size', { simple: true }),
      pageCount: till.db.pragma('page_count', { simple: true }),
      freelistCount: till.db.pragma('freelist_count', { simple: true }),
      bytes: { database: fileSize(store.path), wal: fileSize(`${store.path}-wal`) },
      counts: one<Record<'products' | 'orders' | 'openOrders' | 'movements' | 'activeStaff' | 'openShifts', number>>(
        till,
        `SELECT (SELECT count(*) FROM product) AS products, (SELECT count(*) FROM orders) AS orders,
           (SELECT count(*) FROM orders WHERE state IN ('open', 'parked')) AS openOrders,
           (SELECT count(*) FROM stock_movement) AS movements, (SELECT count(*) FROM staff WHERE active = 1) AS activeStaff,
           (SELECT count(*) FROM shift WHERE closed_at IS NULL) AS openShifts`,
      ),
    },
    ledger: { consistent: differences.length === 0, differences: differences.slice(0, 100), total: differences.length },
    // Named field by field: the report says what it holds, and nothing else comes along.
    sync: {
      enrolled: sync !== null,
      serverUrl: sync?.serverUrl ?? null,
      deviceId: sync?.deviceId ?? null,
      deviceName: sync?.deviceName ?? null,
      storeId: sync?.storeId ?? null,
      storeName: sync?.storeName ?? null,
      epoch: sync?.epoch ?? null,
      pulledSeq: sync?.pulledSeq ?? null,
      pullCursorSet: Boolean(sync?.pullCursor),
      lastSyncAt: sync?.lastSyncAt ?? null,
      lastError: sync?.lastError ? redact(sync.lastError) : null,
      halted: sync?.halted ?? null,
      outbox,
      latestRejected: rows(
        till,
        "SELECT seq, type, occurred_at AS occurredAt, error FROM outbox WHERE status = 'rejected' ORDER BY seq DESC LIMIT 20",
      ).map((r) => redact(r)),
    },
    settings: readSettings(store),
    otherSettings: redact(otherSettings) as Record<string, unknown>,
    backups: backupsReport(till),
    logs,
  };
}

/** Every secret the store holds, so none can reach the bundle even through a stray log line. */
function knownSecrets(till: Till): string[] {
  const secrets = rows<{ value: string }>(till, "SELECT value FROM setting WHERE key = 'sync_token'").flatMap((r) => {
    try {
      return [r.value, String(JSON.parse(r.value))];
    } catch {
      return [r.value];
    }
  });
  secrets.push(...rows<{ pin_hash: string }>(till, 'SELECT pin_hash FROM staff').map((r) => r.pin_hash));
  return secrets.filter((s) => s.length >= 8);
}

function cutSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(redacted);
  return out;
}

/** A POSIX ustar archive of whole files (no package needed: 512-byte headers and padding). */
export function tar(entries: { name: string; data: Buffer; mtime: Date }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (Buffer.byteLength(entry.name) > 100) throw new Error(`tar entry name too long: ${entry.name}`);
    const header = Buffer.alloc(512);
    const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
    header.write(entry.name, 0, 100, 'utf8');
    header.write(octal(0o644, 8), 100);
    header.write(octal(0, 8), 108); // uid
    header.write(octal(0, 8), 116); // gid
    header.write(octal(entry.data.length, 12), 124);
    header.write(octal(Math.floor(entry.mtime.getTime() / 1000), 12), 136);
    header.write('        ', 148); // the checksum counts its own field as spaces
    header.write('0', 156); // a regular file
    header.write('ustar\u000000', 257);
    header.write('tilldesk', 265);
    header.write('tilldesk', 297);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two empty blocks end the archive
  return Buffer.concat(blocks);
}

function readLogs(dataDir: string, top: string, secrets: string[]) {
  return logFiles(dataDir).flatMap(({ file, path }) => {
    try {
      const data = Buffer.from(cutSecrets(readFileSync(path, 'utf8'), secrets));
      return [{ name: `${top}/logs/${file}`, data, mtime: statSync(path).mtime }];
    } catch {
      // Rotated away since the listing: its lines are in the next file.
      return [];
    }
  });
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for a person to remove: never the reason a call fails.
  }
}

/**
 * Writes the bundle, then the audit entry: a call that fails leaves neither (the bundle is
 * removed when the audit cannot be written). Old bundles go last, the new one never among them.
 */
export function exportDiagnostics(till: Till, runtime: Runtime): DiagnosticsExport {
  const staff = requireStaff(till);
  const now = till.now();
  const folder = diagnosticsFolder(till.store.dataDir);
  const secrets = knownSecrets(till);
  const top = `tilldesk-diagnostics-${stamp(now)}`;
  const entries = [
    {
      name: `${top}/report.json`,
      data: Buffer.from(cutSecrets(`${JSON.stringify(diagnosticsReport(till, runtime), null, 2)}\n`, secrets)),
      mtime: now,
    },
    ...readLogs(till.store.dataDir, top, secrets),
  ];
  let file = '';
  let path = '';
  let bytes: number;
  try {
    mkdirSync(folder, { recursive: true });
    file = bundleNames.reserve(folder, now);
    path = join(folder, file);
    writeFileSync(`${path}.partial`, gzipSync(tar(entries)));
    renameSync(`${path}.partial`, path);
    bytes = statSync(path).size;
  } catch (error) {
    if (path) {
      removeQuietly(`${path}.partial`);
      removeQuietly(path);
    }
    throw new TillError('unavailable', 'diagnostics_failed', `Could not write diagnostics to ${folder}: ${String(error)}`, {
      folder,
    });
  }
  try {
    till.db.transaction(() =>
      writeAudit(till, { staffId: staff.id, action: 'diagnostics.export', subject: file, after: { path } }),
    )();
  } catch (error) {
    removeQuietly(path);
    throw error;
  }
  try {
    const older = readdirSync(folder)
      .filter((f) => bundleNames.matches(f) && f !== file)
      .sort(bundleNames.newestFirst);
    for (const old of older.slice(bundlesKept - 1)) removeQuietly(join(folder, old));
  } catch {
    // The bundle is written: old ones that cannot be listed now go next time.
  }
  return { path, bytes, createdAt: now.toISOString(), files: entries.map((e) => e.name) };
}

export function diagnosticsHandlers(till: Till, runtime: Runtime): HandlersFor<typeof diagnosticsOperations> {
  return {
    'diagnostics.export': () => exportDiagnostics(till, runtime),
  };
}
