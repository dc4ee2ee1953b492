/**
 * What an application must forward for this mesh's tracing provider (ENVOY-ISTIO.md §4.1), and
 * checks on request ids that silently disable sampling (§4.2).
 */
import type { ProviderKind } from './observations.js';

const B3 = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'b3'];
const W3C = ['traceparent', 'tracestate'];

/** Headers an app must copy from its inbound request onto every outbound call. */
export function requiredHeaders(provider: ProviderKind | undefined): string[] {
  if (provider === 'zipkin') return ['x-request-id', ...B3];
  if (provider === 'opentelemetry') return ['x-request-id', ...W3C];
  return ['x-request-id', ...W3C, ...B3];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Envoy reads its sampling decision from the UUID's version nibble; a request id that is not a
 * UUID (an app or gateway minting its own) makes Envoy stop tracing without a word.
 */
export function isEnvoyRequestId(id: string): boolean {
  return UUID.test(id);
}
