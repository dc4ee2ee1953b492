export { OtlpPayloadError } from './errors.js';
export { ExportTraceServiceRequest, ExportTraceServiceResponse, otlpRoot } from './otlp-proto.js';
export { decodeOtlpProto } from './decode-proto.js';
export { decodeOtlpJson } from './decode-json.js';
