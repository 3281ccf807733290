/** Reads `npm audit --json` (npm 7+ report, auditReportVersion 2) into a verdict. */
export type AuditVerdict =
  | { kind: 'clean'; counts: Record<string, number> }
  | { kind: 'findings'; counts: Record<string, number>; blocking: string[] }
  | { kind: 'unreachable'; reason: string };

interface Report {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { severity: string; via: unknown[]; fixAvailable: unknown }>;
  metadata?: { vulnerabilities?: Record<string, number> };
  statusCode?: number;
  message?: string;
  error?: { code?: string; summary?: string };
}

const blockingSeverities = new Set(['high', 'critical']);

export function auditVerdict(json: string): AuditVerdict {
  let report: Report;
  try {
    report = JSON.parse(json) as Report;
  } catch {
    return { kind: 'unreachable', reason: `npm audit printed no JSON: ${json.slice(0, 200)}` };
  }
  if (report.auditReportVersion !== 2 || !report.vulnerabilities) {
    const why = report.message ?? report.error?.summary ?? report.error?.code ?? 'no audit report';
    return { kind: 'unreachable', reason: `the registry's audit endpoint did not answer: ${why}` };
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  const blocking = Object.entries(report.vulnerabilities)
    .filter(([, v]) => blockingSeverities.has(v.severity))
    .map(([name, v]) => `${name} (${v.severity})`);
  return blocking.length > 0 ? { kind: 'findings', counts, blocking } : { kind: 'clean', counts };
}
