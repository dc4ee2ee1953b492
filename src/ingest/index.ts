export { DEFAULT_SPAN_LIMITS, DecodeContext } from './context.js';
export type { SpanLimits } from './context.js';
export { loadProtos } from './proto-root.js';
export { BodyError, decodeContentEncoding, parseJsonBody } from './body.js';
export { IngestStats } from './stats.js';
export type { IngestProtocol, ProtocolCounters, RefusalReason } from './stats.js';
export { ingest, rejectionSummary } from './pipeline.js';
export type { IngestDeps, IngestLimits, IngestOutcome, IsPayloadError } from './pipeline.js';
export { isProtobuf, rawBodyParsers, sendRefusal } from './http.js';
