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
const ZERO_32 = '00000000000000000000000000000000';

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
  return hex === ZERO_32 ? undefined : { traceId: hex, bits: 128 };
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
  if (len === 8) return hex8(buf, start, reverse);
  if (len === 16 && !reverse) return hex16(buf, start, start + 8);
  let out = '';
  if (reverse) {
    for (let i = start + len - 1; i >= start; i--) out += HEX_BYTE[buf[i]!]!;
  } else {
    for (let i = start; i < start + len; i++) out += HEX_BYTE[buf[i]!]!;
  }
  return out;
}

/** Char codes of the hex digits. */
const HEX_CODE = Array.from(HEX, (c) => c.charCodeAt(0));
const fromCharCode = String.fromCharCode;

/*
 * Ids are built with one fromCharCode call: concatenating byte by byte makes a rope that V8 must
 * flatten (copy again) the first time the id is hashed as a map key, which every id is.
 */

/** 16 hex chars for 8 bytes at `p`; `reverse` reads them last byte first (Envoy's host order). */
function hex8(b: Uint8Array, p: number, reverse: boolean): string {
  const h = HEX_CODE;
  const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!;
  if (reverse) {
    return fromCharCode(
      h[x7 >> 4]!, h[x7 & 15]!, h[x6 >> 4]!, h[x6 & 15]!, h[x5 >> 4]!, h[x5 & 15]!, h[x4 >> 4]!, h[x4 & 15]!,
      h[x3 >> 4]!, h[x3 & 15]!, h[x2 >> 4]!, h[x2 & 15]!, h[x1 >> 4]!, h[x1 & 15]!, h[x0 >> 4]!, h[x0 & 15]!,
    );
  }
  return fromCharCode(
    h[x0 >> 4]!, h[x0 & 15]!, h[x1 >> 4]!, h[x1 & 15]!, h[x2 >> 4]!, h[x2 & 15]!, h[x3 >> 4]!, h[x3 & 15]!,
    h[x4 >> 4]!, h[x4 & 15]!, h[x5 >> 4]!, h[x5 & 15]!, h[x6 >> 4]!, h[x6 & 15]!, h[x7 >> 4]!, h[x7 & 15]!,
  );
}

/** 32 hex chars: the 8 bytes at `hi` then the 8 at `lo`, or 16 zeros then the 8 at `lo` when `hi` is -1. */
function hex16(b: Uint8Array, hi: number, lo: number): string {
  const h = HEX_CODE;
  const z = hi === -1;
  const x0 = z ? 0 : b[hi]!, x1 = z ? 0 : b[hi + 1]!, x2 = z ? 0 : b[hi + 2]!, x3 = z ? 0 : b[hi + 3]!;
  const x4 = z ? 0 : b[hi + 4]!, x5 = z ? 0 : b[hi + 5]!, x6 = z ? 0 : b[hi + 6]!, x7 = z ? 0 : b[hi + 7]!;
  const y0 = b[lo]!, y1 = b[lo + 1]!, y2 = b[lo + 2]!, y3 = b[lo + 3]!, y4 = b[lo + 4]!, y5 = b[lo + 5]!, y6 = b[lo + 6]!, y7 = b[lo + 7]!;
  return fromCharCode(
    h[x0 >> 4]!, h[x0 & 15]!, h[x1 >> 4]!, h[x1 & 15]!, h[x2 >> 4]!, h[x2 & 15]!, h[x3 >> 4]!, h[x3 & 15]!,
    h[x4 >> 4]!, h[x4 & 15]!, h[x5 >> 4]!, h[x5 & 15]!, h[x6 >> 4]!, h[x6 & 15]!, h[x7 >> 4]!, h[x7 & 15]!,
    h[y0 >> 4]!, h[y0 & 15]!, h[y1 >> 4]!, h[y1 & 15]!, h[y2 >> 4]!, h[y2 & 15]!, h[y3 >> 4]!, h[y3 & 15]!,
    h[y4 >> 4]!, h[y4 & 15]!, h[y5 >> 4]!, h[y5 & 15]!, h[y6 >> 4]!, h[y6 & 15]!, h[y7 >> 4]!, h[y7 & 15]!,
  );
}

/** Parses binary trace id bytes (8 or 16, big-endian). Undefined when the length is wrong or all zeros. */
export function traceIdFromBytes(bytes: Uint8Array): TraceIdParts | undefined {
  const traceId = traceIdAt(bytes, 0, bytes.length);
  return traceId === undefined ? undefined : { traceId, bits: bytes.length === 8 ? 64 : 128 };
}

/**
 * The normalized trace id (32 hex chars) of the 8 or 16 big-endian bytes at `buf[start, start + len)`,
 * read in place; undefined when the length is wrong or the bytes are all zeros. Its width is `len * 8`.
 */
export function traceIdAt(buf: Uint8Array, start: number, len: number): string | undefined {
  if ((len !== 8 && len !== 16) || isAllZero(buf, start, len)) return undefined;
  return len === 16 ? hex16(buf, start, start + 8) : hex16(buf, -1, start);
}

/** Parses binary span id bytes (exactly 8). `littleEndian` undoes Envoy HTTP_PROTO's host byte order. */
export function spanIdFromBytes(bytes: Uint8Array, littleEndian = false): string | undefined {
  return spanIdAt(bytes, 0, bytes.length, littleEndian);
}

/** {@link spanIdFromBytes} for the `len` bytes at `buf[start]`, read in place. */
export function spanIdAt(buf: Uint8Array, start: number, len: number, littleEndian = false): string | undefined {
  if (len !== 8 || isAllZero(buf, start, 8)) return undefined;
  return hex8(buf, start, littleEndian);
}

function isAllZero(bytes: Uint8Array, start = 0, len = bytes.length): boolean {
  for (let i = start; i < start + len; i++) if (bytes[i] !== 0) return false;
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
