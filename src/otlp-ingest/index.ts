export { OtlpPayloadError } from './errors.js';
export { ExportTraceServiceRequest, ExportTraceServiceResponse, otlpRoot } from './otlp-proto.js';
export { decodeOtlpProto } from './decode-proto.js';
export { decodeOtlpJson } from './decode-json.js';
export { exportResponse, isOtlpPayloadError, otlpTracesRoute } from './traces-route.js';
export type { OtlpIngestOptions } from './traces-route.js';
export { EXPORT_PATH, startOtlpGrpcServer } from './grpc-service.js';
export type { OtlpGrpcOptions, OtlpGrpcServer } from './grpc-service.js';
