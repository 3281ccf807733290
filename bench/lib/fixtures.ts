/**
 * Big stores are built once and cached under the cache folder (bench/tmp by default),
 * keyed by their size and a hash of everything that shapes them (the migrations, the
 * generators, this file), so a schema change builds them again and an unchanged tree
 * reuses them. Figures that write get a private copy; read-only figures share one.
 */
import { createHash } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeSettings } from '../../db/settings.ts';
import { databaseFileName } from '../../db/store.ts';
import type { Context } from './context.ts';
import { openBenchTill } from './till.ts';

/** Bump to rebuild every cached fixture after changing how the bench builds them (bench files are not hashed). */
const fixtureVersion = 1;

function filesUnder(root: string, relative: string): string[] {
  const path = join(root, relative);
  if (!existsSync(path)) return [];
  if (!relative.endsWith('/')) return [relative];
  return readdirSync(path)
    .sort()
    .map((name) => `${relative}${name}`);
}

/** A short hash of the given files (folders end in /) under the repository root. */
export function sourceKey(root: string, paths: readonly string[]): string {
  const hash = createHash('sha256').update(String(fixtureVersion));
  for (const relative of paths.flatMap((p) => filesUnder(root, p))) {
    hash.update(relative);
    hash.update(readFileSync(join(root, relative)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** What every store fixture depends on. */
const storeSources = [
  'db/migrations/',
  'db/setup.ts',
  'db/catalog-generator.ts',
  'db/catalog-search.ts',
  'bench/lib/fixtures.ts',
];

/** Is a process (a bench that may be building a fixture) still running? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folder of a cached fixture, built by `build(dir)` when missing. Built beside its final
 * place and renamed when whole, so an interrupted build is never mistaken for a fixture;
 * older builds of the same fixture are removed.
 */
export async function cachedFixture(
  ctx: Context,
  name: string,
  sources: readonly string[],
  build: (dir: string) => Promise<void>,
): Promise<string> {
  const key = sourceKey(ctx.root, [...storeSources, ...sources]);
  const dir = join(ctx.cacheDir, `${name}-${key}`);
  if (existsSync(join(dir, 'done'))) return dir;
  mkdirSync(ctx.cacheDir, { recursive: true });
  const ours = new RegExp(`^${name}-[0-9a-f]{12}(?:\\.building-(\\d+))?$`);
  for (const entry of readdirSync(ctx.cacheDir)) {
    const match = ours.exec(entry);
    // Older builds of this fixture, and half-built ones whose bench is gone.
    if (match && (!match[1] || !alive(Number(match[1])))) rmSync(join(ctx.cacheDir, entry), { recursive: true, force: true });
  }
  const building = `${dir}.building-${process.pid}`;
  mkdirSync(building, { recursive: true });
  const started = performance.now();
  ctx.log(`building fixture ${name} (cached in ${ctx.cacheDir})…`);
  await build(building);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(join(building, databaseFileName + suffix))) throw new Error(`fixture ${name} was not closed cleanly`);
  }
  writeFileSync(join(building, 'done'), new Date().toISOString());
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another bench built the same fixture meanwhile: use theirs.
    if (!existsSync(join(dir, 'done'))) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  ctx.log(`built fixture ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/**
 * A demo shop (setup.demo: staff, a catalog of `products` from the generator, opening stock,
 * a week of sales) with the idle lock off so long measurements are not signed out. Built
 * with synchronous=OFF: arranging is not what is measured, and every later open restores
 * the production pragmas.
 */
export function catalogFixture(ctx: Context, products: number): Promise<string> {
  return cachedFixture(ctx, `catalog-${products}`, [], async (dir) => {
    const t = openBenchTill(dir);
    try {
      t.store.db.pragma('synchronous = OFF');
      await t.ok('setup.demo', { products });
      writeSettings(t.store, { idleLockSeconds: 0 });
    } finally {
      t.close();
    }
  });
}

/** A private copy of a fixture's store in the run's scratch folder, for figures that write. */
export function workCopy(ctx: Context, fixtureDir: string, name: string): string {
  const dir = join(ctx.workDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(fixtureDir, databaseFileName), join(dir, databaseFileName), constants.COPYFILE_FICLONE);
  return dir;
}

/** A size as the table shows it: 100k, 1M. */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}
