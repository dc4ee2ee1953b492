export { OtlpPayloadError } from './errors.js';
export { ExportTraceServiceRequest, ExportTraceServiceResponse, otlpRoot } from './otlp-proto.js';
export { decodeOtlpProto } from './decode-proto.js';
export { decodeOtlpJson } from './decode-json.js';
export { exportResponse, isOtlpPayloadError, otlpTracesRoute } from './http-plugin.js';
export type { OtlpIngestOptions } from './http-plugin.js';
export { EXPORT_PATH, startOtlpGrpcServer } from './grpc-service.js';
export type { OtlpGrpcOptions, OtlpGrpcServer } from './grpc-service.js';
