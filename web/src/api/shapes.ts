/**
 * Runtime checks of API answers, shallow on purpose: they catch a wrong endpoint, an old server
 * or a proxy's error page, and leave field-level tolerance to the renderers.
 */
import type { PropagationReport, SearchResult, ServiceList, TraceView, WorkloadDetail } from './types.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasArrays(v: unknown, keys: readonly string[]): v is Record<string, unknown> {
  return isRecord(v) && keys.every((k) => Array.isArray(v[k]));
}

export function isReport(v: unknown): v is PropagationReport {
  return hasArrays(v, ['workloads', 'edges']) && isRecord(v['mesh']) && typeof v['mesh']['propagationScore'] === 'number';
}

export function isWorkloadDetail(v: unknown): v is WorkloadDetail {
  return hasArrays(v, ['edges', 'trend', 'grafts', 'evidence', 'headersToForward']) && typeof v['workload'] === 'string';
}

export function isTraceView(v: unknown): v is TraceView {
  return hasArrays(v, ['spans', 'roots', 'orphans', 'hops', 'warnings']) && typeof v['traceId'] === 'string';
}

export function isSearchResult(v: unknown): v is SearchResult {
  return hasArrays(v, ['traces']);
}

export function isServiceList(v: unknown): v is ServiceList {
  return hasArrays(v, ['services']);
}
