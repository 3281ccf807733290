/** The machine a run was measured on, recorded beside the figures. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  node: string;
  sqlite: string;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine shows here. */
  loadAverage: number[];
  commit: string | null;
  /** Filled in by the figures that start them. */
  chromium?: string;
  postgres?: string;
}

function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

export function describeMachine(root: string): Machine {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    platform: `${process.platform} ${release()} ${process.arch}`,
    node: process.versions.node,
    sqlite,
    loadAverage: loadavg(),
    commit: gitCommit(root),
  };
}
