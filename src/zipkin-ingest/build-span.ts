/**
 * The part of Zipkin span normalization shared by the JSON and proto3 decoders: once ids and
 * timestamps are parsed, both produce the same model span from the same fields.
 */
import { compactSpan, StatusCode, deriveMeshIdentity, smallInt } from '../model/index.js';
import type { Annotation, Endpoint, SourceFormat, Span, SpanKind, TagPacker, TraceIdParts } from '../model/index.js';

/** A span's decoded fields; strings the model shares (the name) already interned by the decoder. */
export interface ZipkinFields {
  trace: TraceIdParts;
  id: string;
  parentId: string | undefined;
  kind: SpanKind | undefined;
  name: string;
  timestampUs: number;
  durationUs: number;
  localEndpoint: Endpoint | undefined;
  remoteEndpoint: Endpoint | undefined;
  annotations: Annotation[] | undefined;
  debug: boolean;
  shared: boolean;
  source: SourceFormat;
}

/** Zipkin kinds by name; OTLP's INTERNAL is not a Zipkin kind. */
export const ZIPKIN_KINDS: Readonly<Record<string, SpanKind>> = {
  CLIENT: 'CLIENT', SERVER: 'SERVER', PRODUCER: 'PRODUCER', CONSUMER: 'CONSUMER',
};

/** The span kind a Zipkin kind name stands for (own names only: not `toString` and the like). */
export function kindByName(name: string): SpanKind | undefined {
  return Object.hasOwn(ZIPKIN_KINDS, name) ? ZIPKIN_KINDS[name] : undefined;
}

/** Builds the model span once the packer holds the span's tags. */
export function buildZipkinSpan(packer: TagPacker, f: ZipkinFields): Span {
  const packed = packer.finish();
  const serviceName = f.localEndpoint?.serviceName;
  return compactSpan({
    traceId: f.trace.traceId,
    traceIdBits: f.trace.bits,
    id: f.id,
    parentId: f.parentId,
    kind: f.kind,
    name: f.name,
    timestampUs: f.timestampUs,
    durationUs: smallInt(f.durationUs),
    startNanosRemainder: -1,
    endNanosRemainder: -1,
    localEndpoint: f.localEndpoint,
    remoteEndpoint: f.remoteEndpoint,
    sharedTags: packed.group,
    ownTags: packed.own,
    annotations: f.annotations,
    shared: f.shared,
    debug: f.debug,
    statusCode: packed.error ? StatusCode.ERROR : StatusCode.UNSET,
    statusMessage: undefined,
    error: packed.error,
    links: undefined,
    traceState: undefined,
    source: f.source,
    mesh: deriveMeshIdentity(packed.group, f.kind, serviceName),
    requestId: packed.requestId,
    httpStatus: packed.httpStatus,
    responseFlags: packed.responseFlags,
  });
}

/** A non-negative integer count of microseconds, or undefined when the value is not one. */
export function microseconds(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.floor(value);
}
