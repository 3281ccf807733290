/**
 * PostgreSQL for the sync figures. TILLDESK_BENCH_PG_URL (a role that may CREATE DATABASE)
 * when set; otherwise the machine's own cluster (Debian's postgresql, started with
 * pg_ctlcluster when it is down) and a role made for this run through the postgres
 * superuser. Each run works in its own database; both are dropped at the end. When none of
 * this is possible the sync figures say why instead of running.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { adminQuery, createScratchDatabase } from '../../server/scratch-database.ts';
import { track } from './children.ts';
import { alive } from './fixtures.ts';

export interface Postgres {
  /** A URL for a database created for this run. */
  url: string;
  version: string;
  drop(): Promise<void>;
}

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 }).toString();
}

/** As the postgres superuser: directly as root, else through passwordless sudo. */
function asPostgres(args: string[], input?: string): string {
  const isRoot = process.getuid?.() === 0;
  return isRoot
    ? run('runuser', ['-u', 'postgres', '--', ...args], input)
    : run('sudo', ['-n', '-u', 'postgres', ...args], input);
}

/** The local cluster's port, started if it is down. */
function localCluster(): number {
  const lines = run('pg_lsclusters', ['--no-header']).trim().split('\n').filter(Boolean);
  const [version, name, port, status] = (lines[0] ?? '').split(/\s+/);
  if (!version || !name || !port) throw new Error('no PostgreSQL cluster (pg_lsclusters lists none)');
  if (status !== 'online') {
    const isRoot = process.getuid?.() === 0;
    if (isRoot) run('pg_ctlcluster', [version, name, 'start']);
    else run('sudo', ['-n', 'pg_ctlcluster', version, name, 'start']);
  }
  return Number(port);
}

interface Admin {
  url: string;
  /** Drops what adminUrl() made for this run. */
  cleanup(): void;
}

/**
 * A role of this run's own (`tilldesk_bench_<pid>_<random>`, CREATEDB, a random password), so
 * two benches at once never change each other's password; dropped at the end. Roles and
 * databases left by killed runs are dropped first.
 */
function adminUrl(): Admin {
  if (process.env.TILLDESK_BENCH_PG_URL) return { url: process.env.TILLDESK_BENCH_PG_URL, cleanup: () => {} };
  const port = localCluster();
  const leftovers = asPostgres([
    'psql',
    '-Atc',
    "SELECT 'role ' || rolname FROM pg_roles WHERE rolname LIKE 'tilldesk\\_bench\\_%' UNION ALL SELECT 'db ' || datname FROM pg_database WHERE datname LIKE 'tilldesk\\_bench\\_%'",
  ]);
  const gone = leftovers
    .split('\n')
    .map((line) => /^(role|db) (tilldesk_bench_(\d+)_[0-9a-f]+)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null && !alive(Number(m[3])));
  const drops = [
    ...gone.filter((m) => m[1] === 'db').map((m) => `DROP DATABASE IF EXISTS ${m[2]} WITH (FORCE);`),
    ...gone.filter((m) => m[1] === 'role').map((m) => `DROP ROLE IF EXISTS ${m[2]};`),
  ];
  for (const drop of drops) asPostgres(['psql', '-q', '-c', drop]);
  const role = `tilldesk_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(18).toString('hex');
  asPostgres(['psql', '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'], `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}';`);
  return {
    url: `postgres://${role}:${password}@127.0.0.1:${port}/postgres`,
    cleanup: () => {
      asPostgres(['psql', '-q', '-c', `DROP ROLE IF EXISTS ${role};`]);
    },
  };
}

/** A fresh database for this run, or the reason there is none. */
export async function freshPostgres(): Promise<Postgres | { reason: string }> {
  let admin: Admin;
  try {
    admin = adminUrl();
  } catch (error) {
    const message = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { reason: `no PostgreSQL available (${message.split('\n')[0]}); set TILLDESK_BENCH_PG_URL to run it` };
  }
  try {
    const version = String((await adminQuery(admin.url, 'SHOW server_version')).rows[0]?.server_version ?? '?');
    const scratch = await createScratchDatabase(admin.url, 'tilldesk_bench');
    return {
      url: scratch.url,
      version: `PostgreSQL ${version}`,
      drop: async () => {
        await scratch.drop();
        admin.cleanup();
      },
    };
  } catch (error) {
    admin.cleanup();
    return { reason: `PostgreSQL refused (${(error as Error).message}); set TILLDESK_BENCH_PG_URL to run it` };
  }
}

export interface SyncServer {
  url: string;
  child: ChildProcess;
  /** Why the server answered 503 so far, from its warnings: SQLSTATE or message → how often. */
  troubles: Map<string, number>;
  stop(): Promise<void>;
}

/** `node server/main.ts` on DATABASE_URL, as production runs it, on a free port. */
export function startSyncServer(root: string, databaseUrl: string, env: Record<string, string> = {}): Promise<SyncServer> {
  const child = track(
    spawn(process.execPath, ['server/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output: string[] = [];
  const troubles = new Map<string, number>();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sync server did not start:\n${output.join('').slice(-2000)}`));
    }, 30_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (output.length < 200) output.push(chunk);
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (line.includes('"database unavailable"')) {
          const err = (JSON.parse(line) as { err?: { code?: string; message?: string } }).err;
          const why = err?.code ? `SQLSTATE ${err.code}` : (err?.message ?? 'unknown');
          troubles.set(why, (troubles.get(why) ?? 0) + 1);
        }
        if (!line.includes('"listening"')) continue;
        const port = (JSON.parse(line) as { port?: number }).port;
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, child, troubles, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sync server exited (${code}):\n${output.join('').slice(-2000)}`));
    });
  });
}
