/**
 * The load run (bench/load.ts) in its tiny mode — 3 tills for 3 seconds against the real
 * server process — so the script cannot rot between full runs. It measures nothing worth
 * quoting here: the figures are printed, never asserted; what is asserted is that it ran
 * clean and that its own checks of the server held.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

it('runs the load script in tiny mode with zero errors and every server check holding', async () => {
  // On PostgreSQL when TILLDESK_TEST_PG_URL is set (as .ci/run does), else on embedded PGlite.
  const { stdout } = await run(process.execPath, [join(root, 'bench/load.ts'), '--tiny'], {
    cwd: root,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  console.log(lines.filter((l) => !l.startsWith('RESULT ')).join('\n'));
  const result = JSON.parse(lines.find((l) => l.startsWith('RESULT '))?.slice(7) ?? '{}') as {
    options: { tills: number };
    pushes: number;
    ops: number;
    pullPages: number;
    errors: number;
    latencyMs: { n: number };
    memory: { samples: number };
    checks: Record<string, boolean>;
  };
  expect(result.options.tills).toBe(3);
  expect(result.errors).toBe(0);
  expect(result.pushes).toBeGreaterThanOrEqual(result.options.tills);
  expect(result.ops).toBeGreaterThanOrEqual(result.pushes);
  expect(result.pullPages).toBeGreaterThanOrEqual(result.pushes);
  expect(result.latencyMs.n).toBe(result.pushes);
  expect(result.memory.samples).toBeGreaterThan(0);
  expect(result.checks).toEqual({
    appliedEqualsAcknowledged: true,
    noDuplicates: true,
    noneRejected: true,
    seqsAgree: true,
    stockEqualsLedger: true,
    cleanExit: true,
  });
}, 180_000);
