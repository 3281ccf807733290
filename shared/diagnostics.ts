import { z } from 'zod';
import { operation } from './contract.ts';

/** Where an exported diagnostics bundle went and what is inside it. */
export interface DiagnosticsExport {
  /** The .tar.gz on the till's disk (<data folder>/diagnostics/). */
  path: string;
  bytes: number;
  createdAt: string;
  /** The bundle's entries: report.json and the log files. */
  files: string[];
}

export const diagnosticsOperations = {
  /**
   * Bundles what support needs to see why a till misbehaves — logs, versions, integrity
   * and ledger checks, sync state, backups — and never PINs, PIN hashes, tokens or codes.
   */
  'diagnostics.export': operation<DiagnosticsExport>()(z.object({}).strict(), 'manager'),
};
