/** Runs the built `meshtrace` CLI as a child process and watches its output and JSON logs. */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from './server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cmd', 'meshtrace.js');

/** Builds dist/ (as `pretest` does) when the compiled CLI is missing. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(CLI)) return;
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

/** The environment without MESHTRACE_* settings, so only the flags a test passes count. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MESHTRACE_')));
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CliRun {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** stdout lines that parsed as JSON log records. */
  readonly logs: LogLine[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a log line matching `pred`. */
  waitForLog(pred: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function runCli(args: readonly string[]): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = {
    child, stdout: '', stderr: '', logs: [],
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    waitForLog: (pred, timeoutMs = 10_000) => eventually(() => {
      const found = run.logs.find(pred);
      if (found === undefined) throw new Error(`no matching log line yet; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
      return found;
    }, timeoutMs),
  };
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    run.stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        run.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log record
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { run.stderr += chunk; });
  return run;
}

/** Waits for the child to exit, killing it if it does not within `timeoutMs`. */
export async function exitOf(run: CliRun, timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
