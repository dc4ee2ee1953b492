/**
 * Which headers an application forwards, and whether that keeps the trace together under a
 * provider (ENVOY-ISTIO.md §1.5, §3, §4.1): the Zipkin tracer reads only B3, the OpenTelemetry
 * tracer only `traceparent`, and `x-request-id` carries Envoy's sampling decision, not the trace.
 */
import { requiredHeaders } from '../propagation-audit/index.js';
import type { Behaviour, Provider } from './types.js';

export const BEHAVIOURS: readonly Behaviour[] = [
  'forward-all', 'forward-none', 'forward-request-id', 'forward-b3-only', 'forward-traceparent-only', 'drop-async',
];

export function isBehaviour(value: string): value is Behaviour {
  return (BEHAVIOURS as readonly string[]).includes(value);
}

/** What the app copied onto one outbound call. */
export interface ForwardedHeaders {
  /** The trace context the provider's tracer reads survived. */
  readonly context: boolean;
  readonly requestId: boolean;
}

const ALL: ForwardedHeaders = { context: true, requestId: true };
const NOTHING: ForwardedHeaders = { context: false, requestId: false };

/** The headers one outbound call carries, given the app's behaviour and whether the call is async. */
export function forwarded(behaviour: Behaviour, provider: Provider, async: boolean): ForwardedHeaders {
  switch (behaviour) {
    case 'forward-all': return ALL;
    case 'forward-none': return NOTHING;
    case 'forward-request-id': return { context: false, requestId: true };
    case 'forward-b3-only': return { context: provider === 'zipkin', requestId: false };
    case 'forward-traceparent-only': return { context: provider === 'opentelemetry', requestId: false };
    case 'drop-async': return async ? NOTHING : ALL;
  }
}

/**
 * Whether the behaviour loses the trace context under the provider. `drop-async` counts as
 * breaking: it does on every async call (and only there).
 */
export function behaviourBreaks(b: Behaviour, provider: Provider): boolean {
  return !forwarded(b, provider, true).context;
}

/** Istio's list of headers an app must copy from its inbound request to its outbound calls (§4.1). */
export function headersToForward(provider: Provider): string[] {
  return requiredHeaders(provider);
}
