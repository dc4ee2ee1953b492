import { describe, expect, it } from 'vitest';
import { isEnvoyRequestId, requiredHeaders } from './hints.js';

describe('isEnvoyRequestId', () => {
  it('accepts UUIDs in either case', () => {
    expect(isEnvoyRequestId('3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5f')).toBe(true);
    expect(isEnvoyRequestId('3F1A9C2E-7B4D-9E21-8C3F-0A1B2C3D4E5F')).toBe(true);
  });

  it('rejects ids an app or gateway minted itself', () => {
    for (const id of [
      '', 'req-12345', '3f1a9c2e7b4d9e218c3f0a1b2c3d4e5f', // no dashes
      '3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5', // one short
      '3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5f0', // one long
      '3f1a9c2e-7b4d-9e21-8c3f_0a1b2c3d4e5f', // wrong separator
      '3f1a9c2g-7b4d-9e21-8c3f-0a1b2c3d4e5f', // not hex
      '3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5:', // just past '9'
      '3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5`', // just before 'a'
      '3f1a9c2e-7b4d-9e21-8c3f-0a1b2c3d4e5@', // just before 'A'
    ]) expect(isEnvoyRequestId(id), id).toBe(false);
  });
});

describe('requiredHeaders', () => {
  it('names the headers of the provider the sidecar reads', () => {
    expect(requiredHeaders('zipkin')).toContain('x-b3-traceid');
    expect(requiredHeaders('zipkin')).not.toContain('traceparent');
    expect(requiredHeaders('opentelemetry')).toEqual(['x-request-id', 'traceparent', 'tracestate']);
  });
});
