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

/**
 * Envoy reads its sampling decision from the UUID's version nibble; a request id that is not a
 * UUID (an app or gateway minting its own) makes Envoy stop tracing without a word.
 */
export function isEnvoyRequestId(id: string): boolean {
  // A hand loop, not a regular expression: it runs for every inbound span the audit observes.
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d /* - */) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) {
      return false;
    }
  }
  return true;
}
