/**
 * Figure 11: cold start in browser mode. From spawning the host (`node db/host/main.ts`) on a
 * big store to the till ready: the page loaded, the cashier signed in and the product search
 * box visible (the shift was opened beforehand, as it is on a till restarted mid-day).
 * Chromium is already running; the PIN is typed by Playwright, so human time is not in it.
 * The store's file is in the OS page cache (it was just copied), as on a till restarted
 * after an update rather than after a power cut.
 *
 * The limit beside it is the same start on a 1k-product store in the same run: what a start
 * costs whatever the store's size (Node, modules, Chromium), so the ratio shows what the size
 * still adds. The full quick_check runs in the background a few seconds after start; one more
 * start runs it from the first second, to show what it does to the till meanwhile.
 */
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { openStore } from '../db/store.ts';
import { en } from '../renderer/src/i18n/en.ts';
import type { IntegrityReport } from '../shared/backup.ts';
import { browserMissing, type Host, launchChromium, newPage, signInAtTill, startHost } from './lib/browser.ts';
import type { Context, Figure } from './lib/context.ts';
import { catalogFixture, sizeLabel, workCopy } from './lib/fixtures.ts';
import { notMeasured, type Row, timingRow } from './lib/report.ts';
import { since, summarize } from './lib/stats.ts';
import { demo, openBenchTill } from './lib/till.ts';

const title = '11 cold start: host start → till ready';
const targetMs = 1500;

interface Starts {
  listening: number[];
  signInShown: number[];
  ready: number[];
}

/** A private copy of the catalog with the cashier's shift open, ready to be started cold. */
async function storeFor(ctx: Context, products: number): Promise<{ dir: string; fullCheckMs: number; openMs: number }> {
  const dir = workCopy(ctx, await catalogFixture(ctx, products), `cold-${products}`);
  const t = openBenchTill(dir);
  try {
    await t.signIn(demo.cashier.name, demo.cashier.pin);
    await t.ok('shift.open', { float: 10_000 });
  } finally {
    t.close();
  }
  // What a start no longer waits for, and what it still does, on this store.
  let started = performance.now();
  openStore({ dataDir: dir }).close();
  const fullCheckMs = since(started);
  started = performance.now();
  openStore({ dataDir: dir, quickCheck: 'later' }).close();
  return { dir, fullCheckMs, openMs: since(started) };
}

/** Starts the host on `dir` `repeats` times and signs the cashier in at the till each time. */
async function startToReady(
  browser: Browser,
  ctx: Context,
  dir: string,
  repeats: number,
  whileUp?: (host: Host) => Promise<void>,
): Promise<Starts> {
  const starts: Starts = { listening: [], signInShown: [], ready: [] };
  for (let r = 0; r < repeats; r++) {
    const page = await newPage(browser);
    const start = performance.now();
    const host = await startHost(ctx.root, dir, start);
    try {
      starts.listening.push(host.startMs);
      await page.goto(host.url);
      await page.getByRole('button', { name: new RegExp(demo.cashier.name) }).waitFor({ state: 'visible', timeout: 60_000 });
      starts.signInShown.push(since(start));
      await signInAtTill(page, demo.cashier.name, demo.cashier.pin);
      starts.ready.push(since(start));
      if (!(await page.getByRole('region', { name: en.till.title }).isVisible()))
        throw new Error('the till screen is not showing');
      await whileUp?.(host);
    } finally {
      await page.context().close();
      await host.stop();
    }
  }
  return starts;
}

/** Waits for the background check to finish and returns how long it took. */
async function checkDuration(host: Host): Promise<number> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const report = await host.call<IntegrityReport>('backup.integrity', {});
    if (report.state === 'damaged' || report.state === 'failed') throw new Error(`the store check said ${report.state}`);
    if (report.state === 'ok' && report.startedAt && report.finishedAt) {
      return Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the background store check did not finish within 5 minutes');
}

/** One start with the full check running from the first second (TILLDESK_CHECK_DELAY_MS=0). */
async function withCheckFromStart(browser: Browser, ctx: Context, dir: string): Promise<{ readyMs: number; checkMs: number }> {
  process.env.TILLDESK_CHECK_DELAY_MS = '0';
  let checkMs = Number.NaN;
  try {
    const starts = await startToReady(browser, ctx, dir, 1, async (host) => {
      checkMs = await checkDuration(host);
    });
    return { readyMs: starts.ready[0] ?? Number.NaN, checkMs };
  } finally {
    delete process.env.TILLDESK_CHECK_DELAY_MS;
  }
}

const ms = (values: number[]) => `${summarize(values).median.toFixed(0)} ms`;

export const coldStartFigure: Figure = {
  id: 'cold-start',
  title,
  target: '≤ 1.5 s',
  async run(ctx) {
    const missing = browserMissing();
    if (missing) return [notMeasured(title, '≤ 1.5 s', missing)];
    const plan = ctx.tiny
      ? [[1000, 1]]
      : [
          [100_000, 3],
          [1_000_000, 3],
        ];
    const browser = await launchChromium();
    ctx.machine.chromium = browser.version();
    const rows: Row[] = [];
    try {
      // The floor: the same host on an empty store (loading its modules, opening a new file).
      const empty = await startHost(ctx.root, join(ctx.workDir, 'cold-empty'));
      const emptyMs = empty.startMs;
      await empty.stop();
      const small = ctx.tiny ? null : await storeFor(ctx, 1000);
      const floor = small ? summarize((await startToReady(browser, ctx, small.dir, 3)).ready) : null;
      for (const [products = 0, repeats = 1] of plan) {
        const store = await storeFor(ctx, products);
        const starts = await startToReady(browser, ctx, store.dir, repeats);
        const biggest = products === plan.at(-1)?.[0];
        const checked = biggest ? await withCheckFromStart(browser, ctx, store.dir) : null;
        const applies = products >= 1_000_000 || ctx.tiny;
        rows.push(
          timingRow(
            {
              figure: title,
              size: `${sizeLabel(products)} products`,
              target: applies ? '≤ 1.5 s' : '—',
              limit: floor ? { label: 'same start, 1k products', value: floor.median, unit: 'ms' } : null,
              note:
                `Host listening after ${ms(starts.listening)} (median of ${repeats}), sign-in screen after ${ms(starts.signInShown)}; ` +
                `on an empty store the host listens after ${emptyMs.toFixed(0)} ms. Opening this store takes ` +
                `${store.openMs.toFixed(0)} ms (header, schema, migrations); the full quick_check, now run in the background ` +
                `5 s after start on a read-only connection in a worker thread, takes ${store.fullCheckMs.toFixed(0)} ms on it.` +
                (checked
                  ? ` With the check started at once, the till was ready after ${checked.readyMs.toFixed(0)} ms and the check ` +
                    `finished after ${(checked.checkMs / 1000).toFixed(1)} s beside it.`
                  : ''),
              fix:
                'What is left is the same on any store size (the limit): Node loading the host and its ~100 TypeScript ' +
                'modules (zod schemas built at import), the renderer bundle, four round trips before sign-in and scrypt on ' +
                'the PIN. A bundled host (as Electron main is), lazy imports of node-thermal-printer and of the back-office ' +
                'screens would cut it; on a machine not shared with other jobs it is within the target.',
            },
            summarize(starts.ready),
            applies ? (s) => s.median <= targetMs : undefined,
          ),
        );
      }
    } finally {
      await browser.close();
    }
    return rows;
  },
};
