/**
 * Prometheus metrics in the text exposition format (version 0.0.4), by hand: counters kept
 * in memory per process, gauges read from the database at scrape time.
 */
import type { Queryable } from './db.ts';

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, number>;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  render(db: Queryable): Promise<string>;
}

export function createMetrics(): Metrics {
  const families = new Map<string, Family>();
  const define = (name: string, type: Family['type'], help: string) => families.set(name, { help, type, values: new Map() });
  define('tilldesk_http_requests_total', 'counter', 'HTTP requests answered, by route and status code');
  define(
    'tilldesk_push_ops_total',
    'counter',
    'Pushed ops by outcome: applied, rejected, duplicate (applied before under another device), repeated (a retry)',
  );
  define('tilldesk_push_gaps_total', 'counter', 'Push batches that started past the next expected seq');
  define('tilldesk_push_unavailable_total', 'counter', 'Push batches rolled back for a temporary failure (503)');
  define('tilldesk_enrolments_total', 'counter', 'Devices enrolled');
  define(
    'tilldesk_auth_failures_total',
    'counter',
    'Requests refused (401) by reason: missing, unknown, expired or revoked token, bad enrolment code',
  );
  define('tilldesk_rate_limited_total', 'counter', 'Requests answered 429, by limit: device, address, auth_failures, enrol');
  define('tilldesk_shutdown_refused_total', 'counter', 'Requests answered 503 because the server was stopping');
  return {
    inc(name, labels = {}, by = 1) {
      const family = families.get(name);
      if (!family) throw new Error(`Unknown metric ${name}`);
      const key = labelText(labels);
      family.values.set(key, (family.values.get(key) ?? 0) + by);
    },
    async render(db) {
      const lines: string[] = [];
      for (const [name, family] of families) {
        lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
        for (const [labels, value] of family.values) lines.push(`${name}${labels} ${value}`);
      }
      const gauges = (
        await db.query<{
          devices: number;
          revoked: number;
          expired: number;
          negative: number;
          rejected: number;
          waiting_codes: number;
        }>(
          `SELECT (SELECT count(*) FROM device WHERE revoked_at IS NULL AND token_expires_at > now())::int AS devices,
                  (SELECT count(*) FROM device WHERE revoked_at IS NOT NULL)::int AS revoked,
                  (SELECT count(*) FROM device WHERE revoked_at IS NULL AND token_expires_at <= now())::int AS expired,
                  (SELECT count(*) FROM stock_level WHERE on_hand < 0)::int AS negative,
                  (SELECT count(*) FROM applied_op WHERE status = 'rejected')::int AS rejected,
                  (SELECT count(*) FROM enrolment_code WHERE used_at IS NULL AND expires_at > now())::int AS waiting_codes`,
        )
      ).rows[0];
      const gauge = (name: string, help: string, value: number, labels: Labels = {}) =>
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}${labelText(labels)} ${value}`);
      gauge('tilldesk_devices', 'Enrolled devices whose token works (not revoked, not expired)', gauges?.devices ?? 0);
      gauge('tilldesk_devices_revoked', 'Revoked devices', gauges?.revoked ?? 0);
      gauge('tilldesk_devices_expired', 'Devices whose token expired unused: they must enrol again', gauges?.expired ?? 0);
      gauge(
        'tilldesk_negative_stock_levels',
        'Stock levels below zero (sold before goods in was recorded): check them',
        gauges?.negative ?? 0,
      );
      gauge('tilldesk_rejected_ops', 'Ops the server rejected, shown in the back office', gauges?.rejected ?? 0);
      gauge('tilldesk_open_enrolment_codes', 'Enrolment codes not yet used or expired', gauges?.waiting_codes ?? 0);
      // The standard process gauges, so memory is watched where the rest is.
      const memory = process.memoryUsage();
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes', memory.rss);
      gauge('nodejs_heap_size_used_bytes', 'V8 heap in use in bytes', memory.heapUsed);
      return `${lines.join('\n')}\n`;
    },
  };
}
