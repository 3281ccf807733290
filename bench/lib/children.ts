/** Processes the bench starts (hosts, sync servers), so an interrupted run leaves none behind. */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
