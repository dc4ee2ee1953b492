/**
 * Keeps `meshtrace serve`'s intended-sampling inputs current: re-reads the Telemetry, SamplingPolicy
 * and mesh config files on an interval. A file that cannot be read keeps the last good snapshot
 * (logged once per distinct problem), so a half-written file never blanks the drift report.
 */
import { readIntendedFiles } from './intended-files.js';
import type { IntendedInputs } from './intended.js';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface IntendedWatch {
  current(): IntendedInputs | undefined;
  stop(): void;
}

export function watchIntendedFiles(resourceFiles: readonly string[], meshConfigFile: string | undefined, refreshMs: number, log: Log): IntendedWatch {
  let latest: IntendedInputs | undefined;
  let lastProblem = '';
  const read = async (): Promise<void> => {
    try {
      const { inputs, problems } = await readIntendedFiles(resourceFiles, meshConfigFile);
      const first = latest === undefined;
      latest = inputs;
      const problem = problems.join('; ');
      if (problem !== lastProblem && problem !== '') log.warn({ problems }, 'intended sampling: parts of the mesh config were not understood');
      lastProblem = problem;
      if (first) log.info({ telemetries: inputs.telemetries.length, policies: inputs.policies?.length ?? 0 }, 'intended sampling inputs read');
    } catch (err) {
      const problem = (err as Error).message;
      if (problem !== lastProblem) log.warn({ err: problem }, 'intended sampling inputs could not be read; keeping the last good ones');
      lastProblem = problem;
    }
  };
  void read();
  const timer = setInterval(() => void read(), refreshMs);
  timer.unref();
  return { current: () => latest, stop: () => clearInterval(timer) };
}
