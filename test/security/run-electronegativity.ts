/**
 * Runs electronegativity's own runner (not its CLI, whose CSV writer races two async writes
 * and can drop the start of the file) and prints its findings as JSON on stdout.
 * Start with `node --import ./electronegativity-hooks.ts run-electronegativity.ts INPUT VERSION`.
 */
import { createRequire } from 'node:module';

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
}

const [input, electronVersion] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity') as (options: Record<string, unknown>) => Promise<{ issues: Issue[] }>;
const result = await run({
  input,
  electronVersionOverride: electronVersion,
  // Needs Electron's release list from the internet, which this machine cannot reach.
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  isRelative: true,
});
const findings = result.issues.map((i) => ({
  id: i.id,
  file: i.file.split(/[\\/]/).at(-1) ?? i.file,
  location: `${i.location.line}:${i.location.column}`,
  description: i.description,
}));
process.stdout.write(`\n${JSON.stringify(findings)}\n`);
