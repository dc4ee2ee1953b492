/**
 * Optional CPU pinning for the ingest bench (`MESHTRACE_BENCH_PIN=1`): each server under test
 * (meshtrace and the gRPC baseline) runs on core 0 and the load drivers on the others, so the
 * driver never preempts a server or its GC threads. It changes what is measured, not just the
 * noise: a server the driver cannot saturate pays a wake-up per request, so pinned figures are
 * reported next to the default unpinned ones, never instead of them. Needs `taskset` and two cores.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

function taskset(args: string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Core the servers run on; the driver (this process) gets the rest. */
const SERVER_CORE = 0;

export const pinningAvailable = process.env['MESHTRACE_BENCH_PIN'] === '1' && availableParallelism() >= 2 && taskset(['-p', String(process.pid)]);

/** Moves this process (the drivers and in-process baselines) off the servers' core. */
export function pinDriver(): void {
  if (!pinningAvailable) return;
  taskset(['-a', '-p', '-c', `1-${availableParallelism() - 1}`, String(process.pid)]);
}

/** Moves a server process, all its threads, onto the servers' core. */
export function pinServer(pid: number): void {
  if (pinningAvailable) taskset(['-a', '-p', '-c', String(SERVER_CORE), String(pid)]);
}
