/** Words for spans and break marks, shared by the waterfall rows, the break list and the details. */
import type { TraceSpan } from '../api/types.js';
import type { BreakKind } from './model.js';

export function serviceOf(s: TraceSpan): string {
  return s.workload ?? s.localEndpoint?.serviceName ?? 'unknown';
}

export function spanTitle(s: TraceSpan): string {
  return s.name === undefined || s.name === '' ? '(unnamed)' : s.name;
}

export const BREAK_TEXT: Record<BreakKind, string> = {
  'graft': 're-stitched',
  'orphan': 'parent missing',
  'split-root': 'trace starts here',
};

export const BREAK_EXPLANATION: Record<BreakKind, string> = {
  'graft': 'meshtrace hung this split-off fragment back under the request it most likely came from',
  'orphan': 'this span names a parent that meshtrace never received',
  'split-root': 'this trace starts at a sidecar\'s outbound call: the application did not forward the trace headers of the request it was serving, so this call began a new trace',
};

export function isError(s: TraceSpan): boolean {
  const tags = s.tags ?? {};
  return 'error' in tags || (tags['http.status_code'] ?? '').startsWith('5');
}
