import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../db/migrate.ts';
import { openStore, type Store } from '../../db/store.ts';
import { TillError } from '../../shared/errors.ts';

const migrationsDir = fileURLToPath(new URL('../../db/migrations/', import.meta.url));
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const fileHash = (path: string) => sha256(readFileSync(path));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dataDir: string, dir?: string): Store {
  const store = openStore(dir ? { dataDir, migrationsDir: dir } : { dataDir });
  cleanups.push(() => store.db.open && store.close());
  return store;
}

/** A copy of the real migrations that a test may edit. */
function copyOfMigrations(): string {
  const dir = join(tempDir(), 'migrations');
  cpSync(migrationsDir, dir, { recursive: true });
  return dir;
}

/** Every row of every table, so "nothing changed" means nothing (virtual tables through their shadow tables). */
function contents(db: Database.Database): string {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
    .all() as { name: string }[];
  const rows = tables.map(({ name }) => {
    const all = db.prepare(`SELECT * FROM "${name}"`).all();
    return [name, all.map((r) => JSON.stringify(r)).sort()];
  });
  return sha256(JSON.stringify(rows));
}

function refusal(fn: () => unknown): TillError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TillError) return error;
    throw error;
  }
  throw new Error('expected the store to refuse to open');
}

describe('the local store (DESIGN.md §3)', () => {
  it('opens with WAL, synchronous=FULL and foreign keys on', () => {
    const store = open(tempDir());
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(existsSync(`${store.path}-wal`)).toBe(true);
  });

  it('records every migration with the checksum of its file', () => {
    const store = open(tempDir());
    const files = readdirSync(migrationsDir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const rows = store.db.prepare('SELECT version, name, checksum FROM schema_migration ORDER BY version').all();
    expect(rows).toEqual(
      files.map((file) => ({
        version: Number(file.slice(0, 4)),
        name: file.replace(/^\d{4}-/, '').replace(/\.sql$/, ''),
        checksum: sha256(readFileSync(join(migrationsDir, file), 'utf8')),
      })),
    );
    const latest = Number(files.at(-1)?.slice(0, 4));
    expect(store.schemaVersion).toBe(latest);
    expect(store.db.pragma('user_version', { simple: true })).toBe(latest);
  });

  it('re-opening applies nothing twice and changes nothing', () => {
    const dir = tempDir();
    const first = open(dir);
    const applied = first.db.prepare('SELECT * FROM schema_migration ORDER BY version').all();
    const before = contents(first.db);
    first.close();

    const again = open(dir);
    expect(again.schemaVersion).toBe(first.schemaVersion);
    expect(again.db.prepare('SELECT * FROM schema_migration ORDER BY version').all()).toEqual(applied);
    expect(contents(again.db)).toBe(before);
  });

  it('applies pending migrations in one transaction: a failing one leaves the schema as it was', () => {
    const dir = tempDir();
    const migrations = copyOfMigrations();
    const known = open(dir, migrations);
    const version = known.schemaVersion;
    known.close();
    const next = String(version + 1).padStart(4, '0');
    writeFileSync(
      join(migrations, `${next}-half-done.sql`),
      'CREATE TABLE half_done (id INTEGER PRIMARY KEY) STRICT;\nINSERT INTO no_such_table VALUES (1);\n',
    );
    expect(() => openStore({ dataDir: dir, migrationsDir: migrations })).toThrow(/no_such_table/);

    const db = new Database(join(dir, 'tilldesk.db'), { readonly: true });
    cleanups.push(() => db.close());
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT max(version) AS v FROM schema_migration').get()).toEqual({ v: version });
  });

  it('refuses a database written by a newer version and leaves it byte for byte as it was', () => {
    const dir = tempDir();
    const store = open(dir);
    const newer = store.schemaVersion + 1;
    // What a newer Tilldesk leaves behind: one more migration applied and recorded.
    store.db.transaction(() => {
      store.db.exec('CREATE TABLE from_the_future (id INTEGER PRIMARY KEY) STRICT');
      store.db
        .prepare('INSERT INTO schema_migration (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)')
        .run(newer, 'from-the-future', sha256('future'), new Date().toISOString());
      store.db.pragma(`user_version = ${newer}`);
    })();
    store.close();
    const before = fileHash(store.path);

    const error = refusal(() => openStore({ dataDir: dir }));
    expect(error.code).toBe('conflict');
    expect(error.reason).toBe('newer_database');
    expect(error.params).toEqual({ found: newer, known: loadMigrations().at(-1)?.version });
    expect(error.message).toMatch(/newer Tilldesk/);
    expect(fileHash(store.path)).toBe(before);
    expect(existsSync(`${store.path}-wal`)).toBe(false);
  });

  it('refuses to open when an applied migration was edited, and writes nothing', () => {
    const dir = tempDir();
    const migrations = copyOfMigrations();
    const store = open(dir, migrations);
    store.close();
    const before = fileHash(store.path);
    const first = readdirSync(migrations).sort()[0] ?? '';
    appendFileSync(join(migrations, first), '\n-- edited after release\n');

    const error = refusal(() => openStore({ dataDir: dir, migrationsDir: migrations }));
    expect(error.reason).toBe('migration_changed');
    expect(error.params).toEqual({ version: 1 });
    expect(fileHash(store.path)).toBe(before);
  });

  it('reports quick_check: ok when sound, the problems (never repaired) when a page is damaged', () => {
    const dir = tempDir();
    const store = open(dir);
    expect(store.integrity).toBe('ok');
    store.db.exec(
      'CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT; CREATE INDEX filler_body ON filler (body)',
    );
    const insert = store.db.prepare('INSERT INTO filler (body) VALUES (?)');
    store.db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`${'x'.repeat(200)}${i}`);
    })();
    const { pageno } = store.db
      .prepare("SELECT max(pageno) AS pageno FROM dbstat WHERE name = 'filler_body' AND pagetype = 'leaf'")
      .get() as {
      pageno: number;
    };
    const pageSize = store.db.pragma('page_size', { simple: true }) as number;
    store.close();

    // Scribble over the cell pointers of one index page, as a failing disk might.
    const bytes = readFileSync(store.path);
    bytes.fill(0xff, (pageno - 1) * pageSize + 8, (pageno - 1) * pageSize + 72);
    writeFileSync(store.path, bytes);
    const damaged = fileHash(store.path);

    const reopened = open(dir);
    expect(reopened.integrity).not.toBe('ok');
    expect(reopened.integrity).toContain(`page ${pageno}`);
    console.log(`quick_check on a damaged page: ${reopened.integrity.split('\n')[1] ?? reopened.integrity}`);
    reopened.close();
    expect(fileHash(store.path)).toBe(damaged);
  });

  it('refuses migration files that are misnamed or repeat a number', () => {
    const dir = copyOfMigrations();
    const first = readdirSync(dir).sort()[0] ?? '';
    writeFileSync(join(dir, `${first.slice(0, 4)}-again.sql`), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/repeats or goes back/);
    rmSync(join(dir, `${first.slice(0, 4)}-again.sql`));
    writeFileSync(join(dir, 'Add Things.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/NNNN-name\.sql/);
  });

  it('runs a migration whose number was filled in later, once', () => {
    const dir = tempDir();
    const migrations = copyOfMigrations();
    const files = readdirSync(migrations).sort();
    const last = files.at(-1) ?? '';
    const held = files.at(-2) ?? '';
    const heldSql = readFileSync(join(migrations, held), 'utf8');
    rmSync(join(migrations, held));
    const first = open(dir, migrations);
    const version = first.schemaVersion;
    first.close();
    expect(version).toBe(Number(last.slice(0, 4)));
    writeFileSync(join(migrations, held), heldSql);
    const second = open(dir, migrations);
    const recorded = second.db.prepare('SELECT version FROM schema_migration ORDER BY version').pluck().all();
    expect(recorded).toContain(Number(held.slice(0, 4)));
    expect(recorded.length).toBe(files.length);
    second.close();
  });
});
