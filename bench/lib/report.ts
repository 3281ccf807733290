/**
 * One row per figure and size: the figure beside the limit measured in the same run, the
 * ratio, the target and the verdict. Printed as a table, written to results.json and
 * RESULTS.md with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './machine.ts';
import type { Summary } from './stats.ts';

/** pass/miss against the target; info: shown for growth, no target; failed: the benchmark broke. */
export type Verdict = 'pass' | 'miss' | 'info' | 'not measured' | 'failed';

export interface Limit {
  label: string;
  value: number;
  unit: string;
}

export interface Row {
  figure: string;
  size: string;
  unit: 'ms' | 'ops/s' | 'MB';
  /** Samples behind median/p95/p99 (1 for a single measurement). */
  n: number;
  median: number | null;
  p95: number | null;
  p99: number | null;
  limit: Limit | null;
  /** figure ÷ limit (at the median unless the target says otherwise). */
  ratio: number | null;
  target: string;
  verdict: Verdict;
  /** What was measured besides the figure, and why it is what it is. */
  note?: string;
  /** On a miss: what would make it meet its target. */
  fix?: string;
}

export interface Results {
  mode: 'full' | 'tiny';
  machine: Machine;
  startedAt: string;
  seconds: number;
  rows: Row[];
}

/** A row for a figure that could not be measured here, with the reason. */
export function notMeasured(figure: string, target: string, reason: string): Row {
  return {
    figure,
    size: '—',
    unit: 'ms',
    n: 0,
    median: null,
    p95: null,
    p99: null,
    limit: null,
    ratio: null,
    target,
    verdict: 'not measured',
    note: reason,
  };
}

/** A timing row from samples; the verdict is decided by `judge` (or 'info' without a target). */
export function timingRow(
  fields: {
    figure: string;
    size: string;
    target?: string;
    limit?: Limit | null;
    ratio?: number | null;
    note?: string;
    /** What would make it meet its target: kept when it misses. */
    fix?: string;
  },
  summary: Summary,
  judge?: (summary: Summary, ratio: number | null) => boolean,
): Row {
  const ratio = fields.ratio ?? (fields.limit ? summary.median / fields.limit.value : null);
  const row: Row = {
    figure: fields.figure,
    size: fields.size,
    unit: 'ms',
    n: summary.n,
    median: summary.median,
    p95: summary.p95,
    p99: summary.p99,
    limit: fields.limit ?? null,
    ratio,
    target: fields.target ?? '—',
    verdict: judge ? (judge(summary, ratio) ? 'pass' : 'miss') : 'info',
  };
  if (fields.note) row.note = fields.note;
  if (row.verdict === 'miss' && fields.fix) row.fix = fields.fix;
  return row;
}

function number(value: number | null, unit: string): string {
  if (value === null || Number.isNaN(value)) return '—';
  if (unit === 'ms') {
    if (value < 1) return `${value.toFixed(3)} ms`;
    if (value < 100) return `${value.toFixed(2)} ms`;
    return `${value.toFixed(0)} ms`;
  }
  if (unit === 'ops/s') return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-GB')} ${unit}`;
  return `${value.toFixed(1)} ${unit}`;
}

const columns = ['figure', 'size', 'median', 'p95', 'p99', 'limit (same run)', 'ratio', 'target', 'verdict'] as const;

function cells(row: Row): string[] {
  const tails = row.n > 1;
  return [
    row.figure,
    row.size,
    number(row.median, row.unit),
    tails ? number(row.p95, row.unit) : '—',
    tails ? number(row.p99, row.unit) : '—',
    row.limit ? `${row.limit.label} ${number(row.limit.value, row.limit.unit)}` : '—',
    row.ratio === null ? '—' : `${row.ratio < 0.1 ? row.ratio.toPrecision(2) : row.ratio.toFixed(2)}×`,
    row.target,
    row.verdict === 'not measured' || row.verdict === 'failed' ? `${row.verdict}: ${row.note ?? ''}` : row.verdict,
  ];
}

/** The table as fixed-width text for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => Math.min((r[i] ?? '').length, 70))));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|');

/** A Markdown table with its columns padded to one width, as the formatter (Biome) writes them. */
function markdownTable(rows: readonly Row[]): string[] {
  const body = rows.map((row) => cells(row).map(escapeCell));
  const widths = columns.map((c, i) => Math.max(3, c.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

export function markdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# Benchmark results (${results.mode})`,
    '',
    `Run ${results.startedAt}, ${results.seconds.toFixed(0)} s. Reproduce with \`npm run bench\` (full) or \`npm run bench:tiny\`.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory, ${m.platform}; Node ${m.node}; SQLite ${m.sqlite}` +
      `${m.chromium ? `; Chromium ${m.chromium}` : ''}${m.postgres ? `; ${m.postgres}` : ''}; load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(' / ')}` +
      `${m.commit ? `; commit ${m.commit}` : ''}.`,
    '',
    ...markdownTable(results.rows),
    '',
  ];
  const notes = results.rows.filter((r) => r.note && r.verdict !== 'not measured' && r.verdict !== 'failed');
  if (notes.length > 0) {
    lines.push('## Notes', '');
    for (const r of notes)
      lines.push(`- **${r.figure} (${r.size})**${r.verdict === 'miss' ? ' — misses its target' : ''}: ${r.note}`);
    lines.push('');
  }
  // One entry per fix, naming every row it would bring to its target.
  const fixes = new Map<string, Map<string, string[]>>();
  for (const r of results.rows) {
    if (!r.fix) continue;
    const figures = fixes.get(r.fix) ?? new Map<string, string[]>();
    figures.set(r.figure, [...(figures.get(r.figure) ?? []), r.size]);
    fixes.set(r.fix, figures);
  }
  if (fixes.size > 0) {
    lines.push('## What would fix the misses', '');
    for (const [fix, figures] of fixes) {
      const which = [...figures].map(([figure, sizes]) => `${figure} (${sizes.join('; ')})`).join(', ');
      lines.push(`- **${which}**: ${fix}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function writeResults(dir: string, results: Results): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const md = join(dir, 'RESULTS.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, markdown(results));
  return { json, md };
}
