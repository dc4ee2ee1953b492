/**
 * Retries for API calls: 409 (a stale read; the caller's function re-reads), 429 (throttled; the
 * server's Retry-After is honoured), 5xx and network errors (API server restarting), with
 * exponential backoff and full jitter so replicas and informers do not retry in lockstep.
 */

export interface RetryOptions {
  /** Attempts in all, first included. Default 6. */
  readonly attempts?: number;
  /** First backoff, ms. Default 100. */
  readonly baseMs?: number;
  /** Longest backoff, ms. Default 5000. */
  readonly maxMs?: number;
  /** Retry 409 Conflict too. Only for functions that re-read before they write. Default false. */
  readonly retryConflicts?: boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** The HTTP status of a client-node ApiException, undefined for network errors. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { headers?: Record<string, string> } | undefined)?.headers;
  const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const seconds = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function isRetryable(err: unknown, retryConflicts: boolean): boolean {
  const status = statusOf(err);
  if (status === undefined) return !(err instanceof TypeError || err instanceof RangeError); // network, not a programming error
  return status === 429 || status >= 500 || (retryConflicts && status === 409);
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 5000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err, options.retryConflicts ?? false)) throw err;
      const backoff = Math.min(max, base * 2 ** (attempt - 1)) * random();
      const delay = Math.min(max, Math.max(backoff, retryAfterMs(err) ?? 0));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
