import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkBoundaries, formatViolation, runtimeFolders, runtimeSourceFiles, type Violation } from '../boundary.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/boundary/${name}/`, import.meta.url));
const brief = (violations: Violation[]) => violations.map((v) => `${v.file} ${v.subject}`).sort();

describe('runtime boundaries (DESIGN.md §1)', () => {
  it('the real tree keeps every folder to its runtime', () => {
    const files = runtimeSourceFiles(root).map((f) => f.slice(root.length).split(/[\\/]/)[0]);
    // Every runtime folder was actually read, so "no violations" is not a scan of nothing.
    for (const folder of runtimeFolders) expect(files).toContain(folder);
    console.log(`boundary check read ${files.length} files`);
    expect(checkBoundaries(root).map(formatViolation)).toEqual([]);
  });

  it('passes a fixture tree that uses every allowed import', () => {
    expect(runtimeSourceFiles(fixture('clean'))).toHaveLength(6);
    expect(checkBoundaries(fixture('clean')).map(formatViolation)).toEqual([]);
  });

  it('fails when renderer/ imports db/', () => {
    const violations = checkBoundaries(fixture('renderer-imports-db'));
    expect(violations).toEqual([
      { file: 'renderer/src/Till.ts', line: 2, subject: '../../db/store.ts', rule: 'renderer/ must not import from db/' },
    ]);
  });

  it('fails when db/ imports electron', () => {
    const violations = checkBoundaries(fixture('db-imports-electron'));
    expect(violations).toEqual([
      { file: 'db/paths.ts', line: 2, subject: 'electron', rule: 'only electron/ may import electron' },
    ]);
  });

  it('fails when shared/ imports node:fs', () => {
    const violations = checkBoundaries(fixture('shared-imports-node-fs'));
    expect(violations).toEqual([
      { file: 'shared/read.ts', line: 2, subject: 'node:fs', rule: 'shared/ runs anywhere: no Node built-ins' },
    ]);
  });

  it('fails when server/ imports db/', () => {
    const violations = checkBoundaries(fixture('server-imports-db'));
    expect(violations).toEqual([
      { file: 'server/main.ts', line: 2, subject: '../db/store.ts', rule: 'server/ must not import from db/' },
    ]);
  });

  it('catches the less obvious forms: re-exports, type-only, dynamic, require, import types, globals', () => {
    const violations = checkBoundaries(fixture('sneaky'));
    expect(brief(violations)).toEqual(
      [
        'shared/title.ts ../db/store.ts', // export * from
        'shared/title.ts date-fns', // a package other than zod
        'shared/title.ts document', // DOM global
        'shared/title.ts process', // Node global
        'renderer/src/Sneaky.ts ../../db/store.ts', // import type
        'renderer/src/Sneaky.ts path', // bare built-in, no node: prefix
        'renderer/src/Sneaky.ts better-sqlite3', // Node-only package, even as a type
        'renderer/src/Sneaky.ts ../../server/main.ts', // dynamic import()
        'renderer/src/Sneaky.ts electron', // require()
        'server/main.ts ../renderer/src/Sneaky.ts', // import('...').Type
      ].sort(),
    );
    for (const v of violations) expect(v.line).toBeGreaterThan(1);
  });
});
