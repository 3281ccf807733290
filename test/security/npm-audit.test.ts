/**
 * Supply chain: `npm audit` against the registry's audit endpoint must report no high or
 * critical vulnerability. Where the endpoint cannot be reached (this build machine's registry
 * mirror answers 405), the check is skipped with the reason printed — unless
 * TILLDESK_REQUIRE_AUDIT=1 (set in the GitHub workflow), where an unreachable endpoint fails.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditVerdict } from './audit-verdict.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const windows = process.platform === 'win32';

describe('npm audit', () => {
  it('finds no high or critical vulnerability in any dependency', (ctx) => {
    const run = spawnSync(windows ? 'npm.cmd' : 'npm', ['audit', '--json'], {
      cwd: root,
      encoding: 'utf8',
      shell: windows,
      timeout: 120_000,
    });
    const verdict = auditVerdict(run.stdout ?? '');
    if (verdict.kind === 'unreachable') {
      const reason = `npm audit skipped: ${verdict.reason}`;
      console.log(reason);
      expect(process.env.TILLDESK_REQUIRE_AUDIT, reason).not.toBe('1');
      ctx.skip(reason);
      return;
    }
    console.log(`npm audit: ${JSON.stringify(verdict.counts)}`);
    expect(verdict.kind === 'findings' ? verdict.blocking : []).toEqual([]);
  }, 150_000);

  it('reads a report with a high finding as blocking and a low one as clean', () => {
    const report = (severity: string) =>
      JSON.stringify({
        auditReportVersion: 2,
        vulnerabilities: { lodash: { severity, via: [], fixAvailable: true } },
        metadata: { vulnerabilities: { [severity]: 1 } },
      });
    expect(auditVerdict(report('high'))).toEqual({ kind: 'findings', counts: { high: 1 }, blocking: ['lodash (high)'] });
    expect(auditVerdict(report('critical'))).toMatchObject({ kind: 'findings' });
    expect(auditVerdict(report('low'))).toEqual({ kind: 'clean', counts: { low: 1 } });
    expect(auditVerdict('{"statusCode":405,"message":"405 Method Not Allowed"}')).toEqual({
      kind: 'unreachable',
      reason: "the registry's audit endpoint did not answer: 405 Method Not Allowed",
    });
  });
});
