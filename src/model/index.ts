export type { Annotation, Endpoint, SourceFormat, Span, SpanKind, SpanLink } from './span.js';
export { StatusCode } from './span.js';
export type { TraceIdParts } from './ids.js';
export {
  bytesToHex, hexToBytes, parseHexSpanId, parseHexTraceId, spanIdFromBytes, traceIdAsSent, traceIdFromBytes,
} from './ids.js';
export { Interner } from './intern.js';
export type { PackedTags } from './tags.js';
export { TagGroup, TagPacker, isSharedTagKey, tagValue, tagsToObject } from './tags.js';
export type { MeshIdentity, ProxyRole } from './mesh.js';
export { deriveMeshIdentity, parseNodeId } from './mesh.js';
export type { Admission, DecodedBatch, RejectReason, SpanRejection, SpanSink } from './sink.js';
export { internEndpoint } from './endpoint.js';
