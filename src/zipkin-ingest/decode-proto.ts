/**
 * Zipkin v2 proto3 (`ListOfSpans`, Content-Type `application/x-protobuf`) → model spans, read
 * straight off the wire (see src/ingest/wire-reader.ts) with field numbers from zipkin.proto.
 *
 * Envoy's HTTP_PROTO serializer writes the trace id big-endian but span and parent ids in host
 * byte order (little-endian on x86 and arm64; ENVOY-ISTIO.md §1.4), while every other proto3
 * client writes big-endian. So ids of spans from Envoy are byte-reversed, to match the hex ids the
 * same spans carry in JSON and in B3 headers. Which spans are Envoy's is told per batch: a root
 * span reveals the order outright (Envoy gives a root the low 64 bits of its trace id as its span
 * id), and otherwise Envoy's `component=proxy` tag marks its spans.
 */
import type { DecodedBatch, Span, SpanRejection } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { LENGTH_DELIMITED, WireFormatError, WireReader } from '../ingest/wire-reader.js';
import { ZipkinPayloadError } from './decode-json.js';
import { SpanReader, scanSpan } from './wire-span.js';

export { ListOfSpans } from './zipkin-proto.js';

/** Offsets of a request's spans, reused request after request (decoding is synchronous). */
const SPANS: number[] = [];

/** Decodes a protobuf body. Throws {@link ZipkinPayloadError} when the bytes are not a ListOfSpans. */
export function decodeZipkinProto(body: Uint8Array, ctx: DecodeContext): DecodedBatch {
  // Spans are built as the bytes are read; if the request turns out malformed it is refused
  // whole, so the tag counts its first spans added are taken back.
  const tagsLimited = ctx.tagsLimited;
  const redacted = ctx.redactor.redacted;
  try {
    return decodeList(new WireReader(body), ctx);
  } catch (err) {
    if (!(err instanceof WireFormatError)) throw err;
    ctx.tagsLimited = tagsLimited;
    ctx.redactor.redacted = redacted;
    throw new ZipkinPayloadError(`not a zipkin.proto3.ListOfSpans: ${err.message}`);
  }
}

function decodeList(r: WireReader, ctx: DecodeContext): DecodedBatch {
  const end = r.buf.length;
  let count = 0;
  for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
    if (tag >>> 3 !== 1) { // spans
      r.skip(tag & 7, end);
      continue;
    }
    r.expect(tag, LENGTH_DELIMITED);
    const spanEnd = r.delimited(end);
    SPANS[2 * count] = r.pos;
    SPANS[2 * count + 1] = spanEnd;
    count++;
    r.pos = spanEnd;
  }
  const reader = new SpanReader(r, ctx, envoyByteOrder(r, count));
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  for (let i = 0; i < count; i++) {
    const result = reader.read(SPANS[2 * i]!, SPANS[2 * i + 1]!, i);
    if ('reason' in result) rejected.push(result);
    else spans.push(result);
  }
  return { spans, rejected };
}

/**
 * Whether this batch's Envoy spans carry little-endian ids. A root span settles it (its id equals
 * the low half of its trace id in one order or the other); without a root, assume the host order
 * Envoy has always used on the platforms meshes run on.
 */
function envoyByteOrder(r: WireReader, count: number): boolean {
  const buf = r.buf;
  for (let i = 0; i < count; i++) {
    const f = scanSpan(r, SPANS[2 * i]!, SPANS[2 * i + 1]!);
    if (f.parentLength !== 0 || f.idLength !== 8 || f.traceLength < 8) continue;
    const low = f.traceStart + f.traceLength - 8;
    if (r.sameBytes(f.idStart, low, 8)) return false;
    let reversed = true;
    for (let k = 0; k < 8 && reversed; k++) reversed = buf[f.idStart + k] === buf[low + 7 - k];
    if (reversed) return true;
  }
  return true;
}
