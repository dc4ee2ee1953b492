/**
 * The OTLP trace protobuf types, loaded once from `proto/otlp/` (definitions written for meshtrace
 * from the published field numbers). The gRPC service and the HTTP `/v1/traces` route decode with
 * this same Root, so there is one copy of every type.
 */
import { loadProtos } from '../ingest/proto-root.js';

/** The Root holding `opentelemetry.proto.collector.trace.v1.TraceService` and its messages. */
export const otlpRoot = loadProtos('otlp/trace_service.proto');

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export const ExportTraceServiceRequest = otlpRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse`. */
export const ExportTraceServiceResponse = otlpRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
