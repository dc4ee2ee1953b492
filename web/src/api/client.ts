/**
 * The one place the page talks to the server. Every path is relative to the page, so the
 * dashboard works at `/` and behind a path prefix alike, and never leaves its own origin.
 * Answers are checked against the shape the page expects before anything renders them: a
 * malformed answer becomes an error message, never a crash.
 */

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached or answered nonsense. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export type ShapeCheck<T> = (value: unknown) => value is T;

/** `path?query` for an API path and parameters; empty and undefined values are left out. */
export function apiPath(path: string, params: Readonly<Record<string, string | number | boolean | undefined>> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const query = q.toString();
  return query === '' ? path : `${path}?${query}`;
}

/** The server's own message from an error body (`{ message }`), else the status line. */
async function messageOf(res: Response): Promise<string> {
  try {
    const body = await res.json() as unknown;
    if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  } catch { /* not JSON: fall back to the status */ }
  return `${res.status} ${res.statusText}`;
}

/** Where the page keeps the access token of a meshtrace run with `--auth-token`: this tab only. */
const TOKEN_KEY = 'meshtrace.token';

export function savedToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the page simply asks again
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function requestHeaders(): Record<string, string> {
  const token = savedToken();
  return token === undefined ? { accept: 'application/json' } : { accept: 'application/json', authorization: `Bearer ${token}` };
}

export async function getJson<T>(path: string, isShape: ShapeCheck<T>, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, document.baseURI), { signal, headers: requestHeaders() });
  } catch (err) {
    if (signal?.aborted === true) throw err;
    throw new ApiError(0, 'meshtrace did not answer: is it still running?');
  }
  if (!res.ok) throw new ApiError(res.status, await messageOf(res));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(0, `${path}: the answer is not JSON`);
  }
  if (!isShape(body)) throw new ApiError(0, `${path}: the answer does not have the expected shape (is the server a newer or older meshtrace?)`);
  return body;
}
