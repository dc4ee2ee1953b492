/**
 * Trace and span id normalization. Every format meets here, so ids compare as plain strings:
 * trace ids are 32 lowercase hex chars (64-bit ids left-padded, as B3's 128-bit conversion does),
 * span ids 16 lowercase hex chars. All-zero ids are invalid in B3, W3C and OTLP alike.
 */

const HEX = '0123456789abcdef';
const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push(HEX[i >> 4]! + HEX[i & 15]!);

/** True when every char is 0-9 or a-f (lowercase). A loop: measurably faster than a regex here. */
function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
const ZERO_16 = '0000000000000000';

/** A normalized trace id and the width it arrived with. */
export interface TraceIdParts {
  readonly traceId: string;
  readonly bits: 64 | 128;
}

function lowerIfNeeded(hex: string): string {
  // Envoy and every SDK we know write lowercase; only pay for toLowerCase when needed.
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    if (c >= 65 && c <= 70) return hex.toLowerCase();
  }
  return hex;
}

/**
 * Parses a hex trace id of 16 or 32 chars (Zipkin also allows shorter ids, left-padded to 16).
 * Returns undefined when it is not hex, too long, or all zeros.
 */
export function parseHexTraceId(value: unknown): TraceIdParts | undefined {
  if (typeof value !== 'string') return undefined;
  const valid = isLowerHex(value);
  let hex = valid ? value : lowerIfNeeded(value);
  if (hex.length !== 16 && hex.length !== 32) {
    if (hex.length === 0 || hex.length > 32) return undefined;
    hex = hex.length < 16 ? hex.padStart(16, '0') : hex.padStart(32, '0');
  }
  if (!valid && !isLowerHex(hex)) return undefined;
  if (hex.length === 16) {
    return hex === ZERO_16 ? undefined : { traceId: ZERO_16 + hex, bits: 64 };
  }
  return hex === ZERO_16 + ZERO_16 ? undefined : { traceId: hex, bits: 128 };
}

/** Parses a hex span id (Zipkin allows fewer than 16 chars, left-padded). Undefined if invalid. */
export function parseHexSpanId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const valid = isLowerHex(value);
  let hex = valid ? value : lowerIfNeeded(value);
  if (hex.length !== 16) {
    if (hex.length === 0 || hex.length > 16) return undefined;
    hex = hex.padStart(16, '0');
  }
  if ((!valid && !isLowerHex(hex)) || hex === ZERO_16) return undefined;
  return hex;
}

/** Hex-encodes `len` bytes of `buf` from `start`, optionally reversing byte order. */
export function bytesToHex(buf: Uint8Array, start = 0, len = buf.length - start, reverse = false): string {
  let out = '';
  if (reverse) {
    for (let i = start + len - 1; i >= start; i--) out += HEX_BYTE[buf[i]!]!;
  } else {
    for (let i = start; i < start + len; i++) out += HEX_BYTE[buf[i]!]!;
  }
  return out;
}

/** Parses binary trace id bytes (8 or 16, big-endian). Undefined when the length is wrong or all zeros. */
export function traceIdFromBytes(bytes: Uint8Array): TraceIdParts | undefined {
  if (bytes.length !== 8 && bytes.length !== 16) return undefined;
  if (isAllZero(bytes)) return undefined;
  const hex = bytesToHex(bytes);
  return bytes.length === 8 ? { traceId: ZERO_16 + hex, bits: 64 } : { traceId: hex, bits: 128 };
}

/** Parses binary span id bytes (exactly 8). `littleEndian` undoes Envoy HTTP_PROTO's host byte order. */
export function spanIdFromBytes(bytes: Uint8Array, littleEndian = false): string | undefined {
  if (bytes.length !== 8 || isAllZero(bytes)) return undefined;
  return bytesToHex(bytes, 0, 8, littleEndian);
}

function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The trace id as it arrived: 16 hex chars for 64-bit ids, 32 otherwise (for re-export). */
export function traceIdAsSent(traceId: string, bits: 64 | 128): string {
  return bits === 64 ? traceId.slice(16) : traceId;
}

/** Hex string → bytes (for re-export over OTLP/proto). The input must be valid even-length hex. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
