import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, behaviourBreaks, forwarded, headersToForward } from './behaviours.js';

describe('behaviourBreaks', () => {
  it('matches which headers each provider reads', () => {
    const table = Object.fromEntries(BEHAVIOURS.map((b) => [b, [behaviourBreaks(b, 'zipkin'), behaviourBreaks(b, 'opentelemetry')]]));
    expect(table).toEqual({
      'forward-all': [false, false],
      'forward-none': [true, true],
      'forward-request-id': [true, true],
      'forward-b3-only': [false, true],
      'forward-traceparent-only': [true, false],
      'drop-async': [true, true],
    });
  });

  it('drop-async loses the context only on async calls', () => {
    expect(forwarded('drop-async', 'zipkin', false)).toEqual({ context: true, requestId: true });
    expect(forwarded('drop-async', 'zipkin', true)).toEqual({ context: false, requestId: false });
  });
});

describe('headersToForward', () => {
  it("lists Istio's headers per provider", () => {
    expect(headersToForward('zipkin')).toEqual(['x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'b3']);
    expect(headersToForward('opentelemetry')).toEqual(['x-request-id', 'traceparent', 'tracestate']);
  });
});
