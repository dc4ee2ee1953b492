import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './client.js';
import type { ShapeCheck } from './client.js';

export interface ApiState<T> {
  /** The latest answer for this path; kept while a refresh is under way, so tables do not flicker. */
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  /** When `data` arrived, epoch ms. */
  readonly receivedAt: number | undefined;
}

interface Held<T> extends ApiState<T> { readonly path: string }

/**
 * GETs `path` whenever it or `refreshKey` changes (undefined path: nothing to fetch). A request
 * still running when the inputs change is aborted, so a slow old answer never overwrites a new one.
 */
export function useApi<T>(path: string | undefined, isShape: ShapeCheck<T>, refreshKey = 0): ApiState<T> {
  const [held, setHeld] = useState<Held<T> | undefined>(undefined);
  useEffect(() => {
    if (path === undefined) return undefined;
    const controller = new AbortController();
    setHeld((h) => (h?.path === path ? { ...h, loading: true } : { path, data: undefined, error: undefined, loading: true, receivedAt: undefined }));
    getJson(path, isShape, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setHeld({ path, data, error: undefined, loading: false, receivedAt: Date.now() });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(0, String(err));
        setHeld((h) => (h?.path === path ? { ...h, error, loading: false } : { path, data: undefined, error, loading: false, receivedAt: undefined }));
      },
    );
    return () => controller.abort();
  }, [path, refreshKey, isShape]);
  if (held === undefined || held.path !== path) return { data: undefined, error: undefined, loading: path !== undefined, receivedAt: undefined };
  return held;
}
