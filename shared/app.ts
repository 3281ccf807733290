import { z } from 'zod';
import { operation } from './contract.ts';

export interface AppInfo {
  name: string;
  version: string;
  schemaVersion: number;
  sqliteVersion: string;
  dataDir: string;
  transport: 'ipc' | 'http';
}

export interface Health {
  ok: boolean;
  /** `PRAGMA quick_check` result at open: "ok" or the first problems found. */
  integrity: string;
  journalMode: string;
  synchronous: string;
}

const empty = z.object({}).strict();

export const appOperations = {
  'app.info': operation<AppInfo>()(empty),
  'app.health': operation<Health>()(empty),
};
