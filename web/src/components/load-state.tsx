import type { ApiState } from '../api/use-api.js';
import { SignIn } from './sign-in.js';

/**
 * What a page shows while its data is missing: a polite "loading" or the server's own error
 * message. Renders nothing once there is data (a failed refresh keeps the old data on screen
 * and shows the error above it).
 */
export function LoadState({ state, what }: { state: ApiState<unknown>; what: string }) {
  if (state.error?.status === 401) return <SignIn />;
  if (state.error !== undefined) {
    const stale = state.data !== undefined ? ' Showing the last answer.' : '';
    return <p class="notice notice-error" role="alert">Could not load {what}: {state.error.message}.{stale}</p>;
  }
  if (state.data === undefined && state.loading) return <p class="notice" role="status">Loading {what}…</p>;
  return null;
}
