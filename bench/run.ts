/**
 * `npm run bench`: every performance figure of issue 7 beside the limit measured in the same
 * run, printed as one table and written to bench/results.json and bench/RESULTS.md.
 *
 *   node bench/run.ts                 full sizes (100k and 1M products, 1M orders, …)
 *   node bench/run.ts --tiny          tiny sizes and few iterations: proves the benchmarks run
 *   --only sale,search                some figures only (ids: see `figures` below)
 *   --out DIR                         where results go (default bench/, or bench/tmp/tiny for --tiny)
 *   --cache DIR                       where fixtures are cached (default bench/tmp)
 *
 * Exits non-zero when a figure fails to run (not when it misses its target).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { barcodeFigure } from './barcode.ts';
import { coldStartFigure } from './cold-start.ts';
import { importFigure } from './import.ts';
import { browserMissing } from './lib/browser.ts';
import { killAll } from './lib/children.ts';
import type { Context, Figure } from './lib/context.ts';
import { alive, catalogFixture } from './lib/fixtures.ts';
import { describeMachine } from './lib/machine.ts';
import { type Results, type Row, textTable, writeResults } from './lib/report.ts';
import type { BenchTill } from './lib/till.ts';
import { demo, openBenchTill } from './lib/till.ts';
import { ordersFigure } from './orders.ts';
import { saleFigure } from './sale.ts';
import { scanFigure } from './scan.ts';
import { searchFigure } from './search.ts';
import { stocktakeFigure } from './stocktake.ts';
import { syncDrainFigure } from './sync-drain.ts';
import { syncIngestFigure } from './sync-ingest.ts';

const figures: Figure[] = [
  saleFigure,
  barcodeFigure,
  searchFigure,
  importFigure,
  ordersFigure,
  stocktakeFigure,
  syncIngestFigure,
  syncDrainFigure,
  scanFigure,
  coldStartFigure,
];
const browserFigures = new Set(['scan', 'cold-start']);

const root = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    tiny: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    cache: { type: 'string' },
  },
});
const tiny = values.tiny ?? false;
const only = values.only ? new Set(values.only.split(',')) : null;
const unknown = [...(only ?? [])].filter((id) => !figures.some((f) => f.id === id));
if (unknown.length > 0) {
  console.error(`Unknown figure ${unknown.join(', ')}; known: ${figures.map((f) => f.id).join(', ')}`);
  process.exit(2);
}
const selected = figures.filter((f) => !only || only.has(f.id));
const outDir = values.out ?? (tiny ? join(root, 'bench/tmp/tiny') : join(root, 'bench'));
const cacheDir = values.cache ?? join(root, 'bench/tmp');
const workDir = join(cacheDir, `work-${process.pid}`);

function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The UI figures measure the built renderer: build it when it is missing or older than its sources. */
function ensureRenderer(): void {
  const index = join(root, 'dist/renderer/index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestUnder(join(root, 'renderer')), newestUnder(join(root, 'shared')));
  if (built >= sources) return;
  console.log('[bench] building the renderer (dist/renderer is missing or older than its sources)…');
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

const started = Date.now();
const machine = describeMachine(root);
const shared = new Map<number, Promise<BenchTill>>();
const ctx: Context = {
  tiny,
  root,
  cacheDir,
  workDir,
  machine,
  log: (message) => console.log(`[bench] ${message}`),
  sharedCatalog(products) {
    let till = shared.get(products);
    if (!till) {
      till = catalogFixture(ctx, products).then(async (dir) => {
        const t = openBenchTill(dir);
        await t.signIn(demo.cashier.name, demo.cashier.pin);
        return t;
      });
      shared.set(products, till);
    }
    return till;
  },
};

console.log(
  `[bench] ${tiny ? 'tiny' : 'full'} run: ${selected.map((f) => f.id).join(', ')}; ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, SQLite ${machine.sqlite}`,
);
// Scratch folders of runs that were killed.
for (const entry of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
  const pid = /^work-(\d+)$/.exec(entry)?.[1];
  if (pid && !alive(Number(pid))) rmSync(join(cacheDir, entry), { recursive: true, force: true });
}
mkdirSync(workDir, { recursive: true });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`[bench] ${signal}: stopping`);
    killAll();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  });
}
const rows: Row[] = [];
try {
  if (selected.some((f) => browserFigures.has(f.id)) && !browserMissing()) ensureRenderer();
  for (const figure of selected) {
    const begun = Date.now();
    console.log(`[bench] ${figure.id}…`);
    try {
      const produced = await figure.run(ctx);
      rows.push(...produced);
      console.log(textTable(produced).split('\n').slice(2).join('\n'));
    } catch (error) {
      console.error(`[bench] ${figure.id} failed:`, error);
      rows.push({
        figure: figure.title,
        size: '—',
        unit: 'ms',
        n: 0,
        median: null,
        p95: null,
        p99: null,
        limit: null,
        ratio: null,
        target: figure.target,
        verdict: 'failed',
        note: String((error as Error).message ?? error)
          .split('\n')[0]
          ?.slice(0, 300),
      });
    }
    console.log(`[bench] ${figure.id} took ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  }
} finally {
  for (const till of shared.values()) (await till.catch(() => null))?.close();
  rmSync(workDir, { recursive: true, force: true });
}

const results: Results = {
  mode: tiny ? 'tiny' : 'full',
  machine,
  startedAt: new Date(started).toISOString(),
  seconds: (Date.now() - started) / 1000,
  rows,
};
const written = writeResults(outDir, results);
console.log(`\n${textTable(rows)}\n`);
console.log(`[bench] ${results.seconds.toFixed(0)} s; written to ${written.json} and ${written.md}`);
const failed = rows.filter((r) => r.verdict === 'failed');
if (failed.length > 0) {
  console.error(`[bench] ${failed.length} figure(s) failed to run`);
  process.exitCode = 1;
}
