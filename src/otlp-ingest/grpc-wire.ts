/**
 * The parts of gRPC over HTTP/2 a unary service needs, as pure functions: status codes,
 * length-prefixed message framing, and the percent-encoding of `grpc-message`.
 * @see https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 * @see https://github.com/grpc/grpc/blob/master/doc/statuscodes.md
 */

export const GrpcStatus = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** The 5-byte prefix of every message: a compressed flag and a big-endian uint32 length. */
export const FRAME_HEADER_BYTES = 5;

/** What the request's body holds once the stream has ended. */
export type UnaryMessage =
  | { readonly ok: true; readonly compressed: boolean; readonly message: Buffer }
  | { readonly ok: false; readonly status: GrpcStatus; readonly reason: string };

/** The declared length of the first message, once its prefix has arrived. */
export function declaredLength(prefix: Buffer): number {
  return prefix.readUInt32BE(1);
}

/**
 * Reads the single message of a unary call from the whole request body. A unary call carries
 * exactly one length-prefixed message; anything else is the client's mistake.
 */
export function unaryMessage(body: Buffer): UnaryMessage {
  if (body.length < FRAME_HEADER_BYTES) {
    return { ok: false, status: GrpcStatus.INVALID_ARGUMENT, reason: body.length === 0 ? 'the call carried no request message' : 'the request message prefix is truncated' };
  }
  const flag = body[0]!;
  if (flag > 1) return { ok: false, status: GrpcStatus.INTERNAL, reason: `unknown message flag ${flag}` };
  const length = declaredLength(body);
  const end = FRAME_HEADER_BYTES + length;
  if (body.length < end) return { ok: false, status: GrpcStatus.INVALID_ARGUMENT, reason: `the request message is truncated: ${body.length - FRAME_HEADER_BYTES} of ${length} bytes` };
  if (body.length > end) return { ok: false, status: GrpcStatus.INVALID_ARGUMENT, reason: 'a unary call carried more than one request message' };
  return { ok: true, compressed: flag === 1, message: body.subarray(FRAME_HEADER_BYTES, end) };
}

/** One uncompressed message with its prefix, ready to write as the response body. */
export function framed(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/**
 * `grpc-message` is percent-encoded: bytes outside printable ASCII, and `%` itself, become
 * `%XX` of their UTF-8 bytes, so any reason survives the header unchanged.
 */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) { plain = false; break; }
  }
  if (plain) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/** Whether a request's `content-type` names gRPC (`application/grpc`, `+proto`, parameters allowed). */
export function isGrpcContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || !contentType.startsWith('application/grpc')) return false;
  const next = contentType.charCodeAt('application/grpc'.length);
  // End of string, `+proto`-style suffix or `;` parameters.
  return Number.isNaN(next) || next === 0x2b || next === 0x3b;
}

/** The message encodings this server inflates; a client may compress with any of them. */
const ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate'];

/** `grpc-accept-encoding`: the encodings above, as the header lists them. */
export const ACCEPTED_ENCODINGS = ENCODINGS.join(',');

/** Whether a call's `grpc-encoding` is one this server inflates (none means identity). */
export function isAcceptedEncoding(encoding: string | undefined): boolean {
  return encoding === undefined || ENCODINGS.includes(encoding);
}
