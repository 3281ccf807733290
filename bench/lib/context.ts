/** What every figure gets: the mode, where fixtures and scratch files go, and shared open tills. */
import type { Machine } from './machine.ts';
import type { Row } from './report.ts';
import type { BenchTill } from './till.ts';

export interface Context {
  /** Tiny sizes and few iterations: proves the benchmarks still run, measures nothing worth quoting. */
  tiny: boolean;
  /** The repository root. */
  root: string;
  /** Cached fixtures (bench/tmp by default). */
  cacheDir: string;
  /** This run's scratch folder, removed at the end. */
  workDir: string;
  machine: Machine;
  log(message: string): void;
  /** A catalog fixture opened once and shared by read-only figures (closed at the end of the run). */
  sharedCatalog(products: number): Promise<BenchTill>;
}

export interface Figure {
  /** Short id for --only. */
  id: string;
  /** How its rows are named, for a row saying why it was not measured. */
  title: string;
  target: string;
  run(ctx: Context): Promise<Row[]>;
}
