/**
 * Zipkin v2 JSON (`POST /api/v2/spans`, a top-level array) → model spans.
 * A malformed span is rejected with a path-prefixed reason; the rest of the batch is kept.
 *
 * @see https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml
 */
import { internEndpoint, parseHexSpanId, parseHexTraceId } from '../model/index.js';
import type { Annotation, DecodedBatch, Endpoint, Span, SpanRejection, TagPacker } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { buildZipkinSpan, kindByName, microseconds } from './build-span.js';

/** Thrown when the body as a whole is not a Zipkin v2 JSON span list (→ 400). */
export class ZipkinPayloadError extends Error {
  override readonly name = 'ZipkinPayloadError';
}

type JsonObject = Record<string, unknown>;

/** Decodes an already-parsed JSON body. */
export function decodeZipkinJson(body: unknown, ctx: DecodeContext): DecodedBatch {
  if (!Array.isArray(body)) throw new ZipkinPayloadError('expected a JSON array of spans');
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const packer = ctx.packer();
  for (let i = 0; i < body.length; i++) {
    const raw: unknown = body[i];
    const result = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? decodeSpan(raw as JsonObject, i, ctx, packer)
      : ({ index: i, reason: 'invalid-span', message: `spans[${i}]: not an object` } satisfies SpanRejection);
    if ('reason' in result) rejected.push(result);
    else spans.push(result);
  }
  return { spans, rejected };
}

export function rejectSpan(index: number, reason: SpanRejection['reason'], field: string, detail: string): SpanRejection {
  return { index, reason, message: `spans[${index}].${field}: ${detail}` };
}

function decodeSpan(s: JsonObject, i: number, ctx: DecodeContext, packer: TagPacker): Span | SpanRejection {
  const trace = parseHexTraceId(s['traceId']);
  if (trace === undefined) return rejectSpan(i, 'invalid-trace-id', 'traceId', 'not 1-32 hex chars, or all zeros');
  const id = parseHexSpanId(s['id']);
  if (id === undefined) return rejectSpan(i, 'invalid-span-id', 'id', 'not 1-16 hex chars, or all zeros');
  const rawParent = s['parentId'];
  const parentId = rawParent === undefined || rawParent === null || rawParent === '' ? undefined : parseHexSpanId(rawParent);
  if (parentId === undefined && rawParent !== undefined && rawParent !== null && rawParent !== '') {
    return rejectSpan(i, 'invalid-parent-id', 'parentId', 'not 1-16 hex chars');
  }
  const timestampUs = microseconds(s['timestamp']);
  if (timestampUs === undefined) return rejectSpan(i, 'invalid-timestamp', 'timestamp', 'not a non-negative number of epoch microseconds');
  const durationUs = microseconds(s['duration']);
  if (durationUs === undefined) return rejectSpan(i, 'invalid-duration', 'duration', 'not a non-negative number of microseconds');
  packer.begin();
  addTags(s['tags'], ctx, packer);
  const kind = s['kind'];
  const name = s['name'];
  return buildZipkinSpan(packer, {
    traceId: trace.traceId, traceIdBits: trace.bits, id, parentId, timestampUs, durationUs,
    kind: typeof kind === 'string' ? kindByName(kind) : undefined,
    name: typeof name === 'string' ? ctx.interner.string(name) : '',
    localEndpoint: endpoint(s['localEndpoint'], ctx),
    remoteEndpoint: endpoint(s['remoteEndpoint'], ctx),
    annotations: annotations(s['annotations'], ctx),
    debug: s['debug'] === true,
    shared: s['shared'] === true,
    source: 'zipkin-json',
  });
}

function addTags(tags: unknown, ctx: DecodeContext, packer: TagPacker): void {
  if (typeof tags !== 'object' || tags === null) return;
  let count = 0;
  for (const key in tags) {
    const value: unknown = (tags as JsonObject)[key];
    // Zipkin tags are strings; be lenient with senders that write numbers or booleans.
    const text = typeof value === 'string' ? value
      : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (text === undefined) continue;
    if (!ctx.addTag(packer, count, key, text)) break;
    count++;
  }
}

function endpoint(raw: unknown, ctx: DecodeContext): Endpoint | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const e = raw as JsonObject;
  const serviceName = e['serviceName'];
  const ipv4 = e['ipv4'];
  const ipv6 = e['ipv6'];
  const port = e['port'];
  return internEndpoint(
    ctx.interner,
    typeof serviceName === 'string' ? serviceName : undefined,
    typeof ipv4 === 'string' ? ipv4 : undefined,
    typeof ipv6 === 'string' ? ipv6 : undefined,
    typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
  );
}

function annotations(raw: unknown, ctx: DecodeContext): Annotation[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: Annotation[] = [];
  for (const a of raw as unknown[]) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    if (typeof a !== 'object' || a === null) continue;
    const ts = microseconds((a as JsonObject)['timestamp']);
    const value = (a as JsonObject)['value'];
    if (ts !== undefined && typeof value === 'string') out.push({ timestampUs: ts, value });
  }
  return out.length > 0 ? out : undefined;
}
