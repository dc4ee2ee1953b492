/** Thrown when a body as a whole is not an OTLP trace export request (→ 400, or gRPC INVALID_ARGUMENT). */
export class OtlpPayloadError extends Error {
  override readonly name = 'OtlpPayloadError';
}
