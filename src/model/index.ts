export type { Annotation, Endpoint, SourceFormat, Span, SpanKind, SpanLink } from './span.js';
export { StatusCode } from './span.js';
export { CompactSpan, compactSpan, packedSpan, rareSpanFields, spanFields, spanFlags, spanNanos } from './compact-span.js';
export type { RareSpanFields } from './compact-span.js';
export { highPart, joinParts, lowPart, splittable } from './split-time.js';
export type { TraceIdParts } from './ids.js';
export {
  bytesToHex, hexToBytes, parseHexSpanId, parseHexTraceId, spanIdAt, spanIdFromBytes, traceIdAsSent, traceIdAt, traceIdFromBytes,
} from './ids.js';
export { Interner } from './intern.js';
export type { PackedTags } from './tags.js';
export { MAX_SHARED_VALUE, TagGroup, TagPacker, tagValue, tagsToObject } from './tags.js';
export { TagFact, TagKey, isSharedTagKey, isUniqueTagKey } from './tag-key.js';
export type { MeshIdentity, ProxyRole } from './mesh.js';
export { deriveMeshIdentity, parseNodeId } from './mesh.js';
export type { Admission, DecodedBatch, RejectReason, SpanRejection, SpanSink } from './sink.js';
export { internEndpoint } from './endpoint.js';
export { smallInt } from './small-int.js';
