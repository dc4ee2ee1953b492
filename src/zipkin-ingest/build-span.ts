/**
 * The part of Zipkin span normalization shared by the JSON and proto3 decoders: once ids and
 * timestamps are parsed, both produce the same model span from the same fields.
 */
import { StatusCode, deriveMeshIdentity, packedSpan, rareSpanFields, smallInt, spanFlags } from '../model/index.js';
import type { Annotation, Endpoint, SourceFormat, Span, SpanKind, TagPacker } from '../model/index.js';

/**
 * A span's decoded fields; strings the model shares (the name) already interned by the decoder.
 * Decoders fill one such object span after span rather than make one per span.
 */
export interface ZipkinFields {
  traceId: string;
  traceIdBits: 64 | 128;
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
  const status = packed.error ? StatusCode.ERROR : StatusCode.UNSET;
  return packedSpan(f.traceId, f.id, f.parentId, f.name, f.timestampUs, smallInt(f.durationUs), f.localEndpoint,
    packed.group, packed.own, deriveMeshIdentity(packed.group, f.kind, f.localEndpoint?.serviceName), packed.requestId,
    spanFlags(f.kind, f.source, status, f.traceIdBits, f.shared, f.debug, packed.error, packed.httpStatus),
    0, // Zipkin times are whole microseconds: no nanosecond remainders.
    rareSpanFields(f.remoteEndpoint, f.annotations, undefined, undefined, undefined, packed.responseFlags));
}

/** A {@link ZipkinFields} to fill: every field present, so all of them share one shape. */
export function emptyZipkinFields(source: SourceFormat): ZipkinFields {
  return {
    traceId: '', traceIdBits: 128, id: '', parentId: undefined, kind: undefined, name: '', timestampUs: 0, durationUs: 0,
    localEndpoint: undefined, remoteEndpoint: undefined, annotations: undefined, debug: false, shared: false, source,
  };
}

/** A non-negative integer count of microseconds, or undefined when the value is not one. */
export function microseconds(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.floor(value);
}
