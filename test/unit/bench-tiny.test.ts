/**
 * CI's proof that the benchmarks still run: `node bench/run.ts --tiny` end to end in a child
 * process (fixtures cached in a temp folder), then the table it wrote is checked for shape —
 * every figure present, every row well formed. Never for speed: times are whatever this
 * machine gives, and a missed target is a row, not a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shape bench/lib/report.ts writes (read here as JSON, as any consumer of the file would). */
interface Results {
  mode: string;
  startedAt: string;
  machine: { cpus: number; memoryBytes: number; node: string; sqlite: string };
  rows: {
    figure: string;
    size: string;
    n: number;
    median: number | null;
    p95: number | null;
    p99: number | null;
    limit: { label: string; value: number; unit: string } | null;
    ratio: number | null;
    target: string;
    verdict: string;
    note?: string;
  }[];
}

/** Issue 7's figures, by the number each row's name starts with. */
const figures = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'];
const verdicts = ['pass', 'miss', 'info', 'not measured', 'failed'];

describe('npm run bench -- --tiny', () => {
  it('runs every figure and writes a well-formed table', { timeout: 600_000 }, () => {
    const out = join(dir, 'out');
    const run = spawnSync(process.execPath, ['bench/run.ts', '--tiny', '--out', out, '--cache', join(dir, 'cache')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 570_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    console.log(
      output
        .split('\n')
        .filter((l) => /^\[bench\] \d+ s;/.test(l))
        .join('\n'),
    );
    expect(run.status, output.slice(-4000)).toBe(0);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.mode).toBe('tiny');
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.machine.memoryBytes).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.versions.node);
    expect(results.machine.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(Date.parse(results.startedAt)).not.toBeNaN();

    const numbers = results.rows.map((r) => /^(\d+) /.exec(r.figure)?.[1]);
    for (const figure of figures) expect(numbers, `figure ${figure} has no row`).toContain(figure);
    expect(results.rows.filter((r) => r.verdict === 'failed')).toEqual([]);

    for (const row of results.rows) {
      expect(verdicts).toContain(row.verdict);
      expect(row.size).not.toBe('');
      expect(row.target).not.toBe('');
      if (row.verdict === 'not measured') {
        expect(row.note, `${row.figure} says why it was not measured`).toBeTruthy();
        continue;
      }
      expect(row.n, row.figure).toBeGreaterThan(0);
      expect(Number.isFinite(row.median), row.figure).toBe(true);
      expect(row.median).toBeGreaterThanOrEqual(0);
      if (row.n > 1) {
        // Quantiles of one set of samples are ordered, whatever the machine.
        expect(row.p95 ?? Number.NaN).toBeGreaterThanOrEqual(row.median ?? Number.NaN);
        expect(row.p99 ?? Number.NaN).toBeGreaterThanOrEqual(row.p95 ?? Number.NaN);
      }
      if (row.limit) {
        expect(row.limit.value, `${row.figure}: its limit`).toBeGreaterThan(0);
        expect(Number.isFinite(row.ratio), `${row.figure}: its ratio`).toBe(true);
      }
    }

    const markdown = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    const table = markdown.split('\n').filter((l) => l.startsWith('| '));
    const [header, rule, ...body] = table;
    expect(header?.split('|').map((c) => c.trim())).toEqual([
      '',
      'figure',
      'size',
      'median',
      'p95',
      'p99',
      'limit (same run)',
      'ratio',
      'target',
      'verdict',
      '',
    ]);
    expect(rule).toMatch(/^\| -+ (\| -+ )+\|$/);
    expect(body).toHaveLength(results.rows.length);
  });
});
