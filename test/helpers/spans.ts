/** A factory for model spans in tests: sensible defaults, override what the case is about. */
import { StatusCode, TagGroup } from '../../src/model/index.js';
import type { Span } from '../../src/model/index.js';

export function makeSpan(overrides: Partial<Span> & { id: string }): Span {
  return {
    traceId: '0000000000000000000000000000000a',
    traceIdBits: 128,
    parentId: undefined,
    kind: undefined,
    name: '',
    timestampUs: 1_000_000,
    durationUs: 1000,
    startNanosRemainder: -1,
    endNanosRemainder: -1,
    localEndpoint: undefined,
    remoteEndpoint: undefined,
    sharedTags: TagGroup.EMPTY,
    ownTags: [],
    annotations: undefined,
    shared: false,
    debug: false,
    statusCode: StatusCode.UNSET,
    statusMessage: undefined,
    error: false,
    links: undefined,
    traceState: undefined,
    source: 'zipkin-json',
    mesh: undefined,
    requestId: undefined,
    httpStatus: undefined,
    responseFlags: undefined,
    ...overrides,
  };
}

export function endpoint(serviceName: string, ipv4?: string): Span['localEndpoint'] {
  return { serviceName, ipv4, ipv6: undefined, port: undefined };
}
