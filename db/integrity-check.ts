/**
 * The full `PRAGMA quick_check`, off the main thread: a worker opens its own read-only
 * connection (WAL lets sales go on beside it), reads every page at the lowest CPU priority,
 * and answers with what it found. The till serves from the first second; the check's result
 * goes to the log, to `backup.integrity` and `app.health`, and — if it found damage — into a
 * note beside the store so the next start offers to restore a backup.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { IntegrityReport } from '../shared/backup.ts';
import { writeDamageNote } from './integrity.ts';
import type { Store } from './store.ts';
import { sqliteCode } from './store-errors.ts';

/** Problems listed at most; the first few say enough for support. */
const maxProblems = 20;

// Plain CommonJS given to the worker as source: nothing to bundle or to find at run time in
// Electron's asar; the driver's resolved path comes in workerData.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
// On Linux the nice value is per thread: only this check yields to the till.
if (process.platform === 'linux') { try { require('node:os').setPriority(19); } catch {} }
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const rows = db.pragma('quick_check(' + workerData.maxProblems + ')');
  parentPort.postMessage({ problems: rows.map((row) => String(row.quick_check)) });
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message), code: error && error.code });
} finally {
  if (db) db.close();
}
`;

type WorkerAnswer = { problems: string[] } | { error: string; code?: string };

export interface BackgroundCheck {
  /** Settles with the final report (never rejects). */
  done: Promise<IntegrityReport>;
  /** Stops waiting or checking (at shutdown); the report stays as it was. */
  cancel(): void;
}

/** Resolved here, where Node's resolution works from source and from Electron's bundle alike. */
const driverPath = (): string => createRequire(import.meta.url).resolve('better-sqlite3');

/** Runs quick_check on `path` in a worker thread; resolves with its answer. */
function quickCheckInWorker(path: string, onWorker: (worker: Worker) => void): Promise<WorkerAnswer> {
  return new Promise((resolve) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { driver: driverPath(), path, maxProblems } });
    onWorker(worker);
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
      answered = true;
      resolve(answer);
    });
    worker.once('error', (error) => resolve({ error: error.message, code: sqliteCode(error) ?? '' }));
    worker.once('exit', (code) => {
      if (!answered) resolve({ error: `the check stopped (exit code ${code})` });
    });
  });
}

/** The report for a worker's answer: ok, damaged (SQLite found broken pages), or failed (it could not look). */
export function reportFor(answer: WorkerAnswer, startedAt: string, finishedAt: string): IntegrityReport {
  if ('problems' in answer) {
    const ok = answer.problems.length === 1 && answer.problems[0] === 'ok';
    return { state: ok ? 'ok' : 'damaged', problems: ok ? [] : answer.problems, startedAt, finishedAt };
  }
  const damaged = answer.code?.startsWith('SQLITE_CORRUPT') || answer.code === 'SQLITE_NOTADB';
  return {
    state: damaged ? 'damaged' : 'failed',
    problems: [answer.code ? `${answer.code}: ${answer.error}` : answer.error],
    startedAt,
    finishedAt,
  };
}

/** Sets the store's report and its one-line summary (app.health shows the summary). */
export function recordReport(store: Store, report: IntegrityReport): void {
  store.check = report;
  store.integrity =
    report.state === 'ok'
      ? 'ok'
      : report.state === 'waiting' || report.state === 'checking'
        ? report.state
        : `${report.state}: ${report.problems.join('\n')}`;
}

/**
 * After `delayMs` (the first screens come first), checks the whole store in the background.
 * Damage is written beside the store (tilldesk.db.damaged) so it is not forgotten at the next start.
 */
export function checkInBackground(
  store: Store,
  options: { delayMs: number; now?: () => Date; onDone?: (report: IntegrityReport) => void },
): BackgroundCheck {
  const now = options.now ?? (() => new Date());
  let worker: Worker | null = null;
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  let settle: (report: IntegrityReport) => void = () => {};
  recordReport(store, { state: 'waiting', problems: [], startedAt: null, finishedAt: null });
  const done = new Promise<IntegrityReport>((resolve) => {
    settle = resolve;
    timer = setTimeout(async () => {
      if (cancelled) return resolve(store.check);
      const startedAt = now().toISOString();
      recordReport(store, { state: 'checking', problems: [], startedAt, finishedAt: null });
      const answer = await quickCheckInWorker(store.path, (w) => {
        worker = w;
        w.unref();
      });
      if (cancelled) return resolve(store.check);
      const report = reportFor(answer, startedAt, now().toISOString());
      recordReport(store, report);
      if (report.state === 'damaged') {
        try {
          writeDamageNote(store.path, { checkedAt: report.finishedAt ?? startedAt, problems: report.problems });
        } catch {
          // A disk that cannot take the note is reported through the check's result anyway.
        }
      }
      options.onDone?.(report);
      resolve(report);
    }, options.delayMs);
    timer.unref();
  });
  return {
    done,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      void (worker as Worker | null)?.terminate();
      settle(store.check);
    },
  };
}
