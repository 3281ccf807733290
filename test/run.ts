/**
 * `npm test`: lint, types, build, vitest, Playwright, then one last line that sums both
 * runners: `N passed, N failed[, N skipped]`. Every step runs even when one before it failed,
 * so the line always appears; the exit code is non-zero if any step or any test failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const results = join(root, 'test-results');
const vitestJson = join(results, 'vitest.json');
const playwrightJson = join(results, 'playwright.json');
const bin = (path: string) => join(root, 'node_modules', path);

interface Step {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const steps: Step[] = [
  { name: 'lint (biome)', command: process.execPath, args: [bin('@biomejs/biome/bin/biome'), 'check', '.'] },
  { name: 'types (tsc -b)', command: process.execPath, args: [bin('typescript/bin/tsc'), '-b'] },
  // npm is a .cmd on Windows, which only a shell can start.
  { name: 'build (renderer + electron)', command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: ['run', 'build'] },
  {
    name: 'unit and integration tests (vitest)',
    command: process.execPath,
    args: [bin('vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  },
  {
    name: 'end-to-end tests (playwright)',
    command: process.execPath,
    args: [bin('@playwright/test/cli.js'), 'test', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson },
  },
];

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Vitest's JSON reporter (Jest-compatible totals). */
function vitestCounts(): Counts | null {
  const report = readJson(vitestJson) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  } | null;
  if (!report) return null;
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
}

/** Playwright's JSON reporter: expected = passed, flaky = passed on retry, unexpected = failed. */
function playwrightCounts(): Counts | null {
  const report = readJson(playwrightJson) as {
    stats?: { expected: number; unexpected: number; flaky: number; skipped: number };
  } | null;
  if (!report?.stats) return null;
  const { expected, unexpected, flaky, skipped } = report.stats;
  return { passed: expected + flaky, failed: unexpected, skipped };
}

mkdirSync(results, { recursive: true });
rmSync(vitestJson, { force: true });
rmSync(playwrightJson, { force: true });

const failedSteps: string[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const run = spawnSync(step.command, step.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...step.env },
    shell: process.platform === 'win32' && step.command.endsWith('.cmd'),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    failedSteps.push(step.name);
    console.log(`=== ${step.name}: FAILED (${run.error?.message ?? `exit ${run.status ?? run.signal}`}, ${seconds} s) ===`);
  } else {
    console.log(`=== ${step.name}: ok (${seconds} s) ===`);
  }
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
for (const [runner, counts, path] of [
  ['vitest', vitestCounts(), vitestJson],
  ['playwright', playwrightCounts(), playwrightJson],
] as const) {
  if (!counts) {
    failedSteps.push(`${runner} wrote no report`);
    console.log(`${runner}: no report at ${path}${existsSync(path) ? ' (unreadable)' : ''}`);
    continue;
  }
  console.log(`${runner}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join('; ')}`);

console.log(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`);
process.exitCode = failedSteps.length > 0 || total.failed > 0 ? 1 : 0;
