/**
 * Zipkin v2 proto3 (`ListOfSpans`, Content-Type `application/x-protobuf`) → model spans.
 *
 * Envoy's HTTP_PROTO serializer writes the trace id big-endian but span and parent ids in host
 * byte order (little-endian on x86 and arm64; ENVOY-ISTIO.md §1.4), while every other proto3
 * client writes big-endian. So ids of spans from Envoy are byte-reversed, to match the hex ids the
 * same spans carry in JSON and in B3 headers. Which spans are Envoy's is told per batch: a root
 * span reveals the order outright (Envoy gives a root the low 64 bits of its trace id as its span
 * id), and otherwise Envoy's `component=proxy` tag marks its spans.
 */
import type Long from 'long';
import {
  bytesToHex, internEndpoint, spanIdFromBytes, traceIdFromBytes,
} from '../model/index.js';
import type { Annotation, DecodedBatch, Endpoint, Span, SpanKind, SpanRejection } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { loadProtos } from '../ingest/proto-root.js';
import { buildZipkinSpan } from './build-span.js';
import { ZipkinPayloadError } from './decode-json.js';

const root = loadProtos('zipkin.proto');
/** The protobufjs type for `zipkin.proto3.ListOfSpans` (exported for tests and the benchmark). */
export const ListOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');

interface ProtoEndpoint { serviceName?: string; ipv4?: Uint8Array; ipv6?: Uint8Array; port?: number }
interface ProtoSpan {
  traceId?: Uint8Array; parentId?: Uint8Array; id?: Uint8Array; kind?: number; name?: string;
  timestamp?: Long | number; duration?: Long | number; localEndpoint?: ProtoEndpoint | null; remoteEndpoint?: ProtoEndpoint | null;
  annotations?: { timestamp?: Long | number; value?: string }[]; tags?: Record<string, string>;
  debug?: boolean; shared?: boolean;
}

const KINDS: (SpanKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];
const EMPTY = new Uint8Array(0);

/** Decodes a protobuf body. Throws {@link ZipkinPayloadError} when the bytes are not a ListOfSpans. */
export function decodeZipkinProto(body: Uint8Array, ctx: DecodeContext): DecodedBatch {
  let message: { spans?: ProtoSpan[] };
  try {
    message = ListOfSpans.decode(body) as unknown as { spans?: ProtoSpan[] };
  } catch (err) {
    throw new ZipkinPayloadError(`not a zipkin.proto3.ListOfSpans: ${(err as Error).message}`);
  }
  const list = message.spans ?? [];
  const envoyLittleEndian = envoyByteOrder(list);
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const packer = ctx.packer();
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const swap = envoyLittleEndian && s.tags?.['component'] === 'proxy';
    const result = decodeSpan(s, i, swap, ctx, packer);
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
function envoyByteOrder(list: ProtoSpan[]): boolean {
  for (const s of list) {
    const t = s.traceId ?? EMPTY;
    const id = s.id ?? EMPTY;
    if ((s.parentId?.length ?? 0) !== 0 || id.length !== 8 || t.length < 8) continue;
    const low = bytesToHex(t, t.length - 8, 8);
    if (bytesToHex(id) === low) return false;
    if (bytesToHex(id, 0, 8, true) === low) return true;
  }
  return true;
}

function reject(index: number, reason: SpanRejection['reason'], field: string, detail: string): SpanRejection {
  return { index, reason, message: `spans[${index}].${field}: ${detail}` };
}

function toNumber(v: Long | number | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function decodeSpan(s: ProtoSpan, i: number, swap: boolean, ctx: DecodeContext, packer: ReturnType<DecodeContext['packer']>): Span | SpanRejection {
  const trace = traceIdFromBytes(s.traceId ?? EMPTY);
  if (trace === undefined) return reject(i, 'invalid-trace-id', 'traceId', 'not 8 or 16 bytes, or all zeros');
  const id = spanIdFromBytes(s.id ?? EMPTY, swap);
  if (id === undefined) return reject(i, 'invalid-span-id', 'id', 'not 8 bytes, or all zeros');
  let parentId: string | undefined;
  if (s.parentId !== undefined && s.parentId.length > 0) {
    parentId = spanIdFromBytes(s.parentId, swap);
    if (parentId === undefined) return reject(i, 'invalid-parent-id', 'parentId', 'not 8 bytes');
  }
  packer.begin();
  let count = 0;
  for (const key in s.tags) {
    if (!ctx.addTag(packer, count++, key, s.tags[key]!)) break;
  }
  return buildZipkinSpan(ctx, packer, {
    trace, id, parentId,
    kind: KINDS[s.kind ?? 0],
    name: s.name ?? '',
    timestampUs: toNumber(s.timestamp),
    durationUs: toNumber(s.duration),
    localEndpoint: endpoint(s.localEndpoint, ctx),
    remoteEndpoint: endpoint(s.remoteEndpoint, ctx),
    annotations: annotations(s.annotations, ctx),
    debug: s.debug === true,
    shared: s.shared === true,
    source: 'zipkin-proto',
  });
}

function ipv4(bytes: Uint8Array | undefined): string | undefined {
  return bytes?.length === 4 ? `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` : undefined;
}

function ipv6(bytes: Uint8Array | undefined): string | undefined {
  if (bytes?.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

function endpoint(e: ProtoEndpoint | null | undefined, ctx: DecodeContext): Endpoint | undefined {
  // protobufjs leaves unset message fields null.
  if (e === undefined || e === null) return undefined;
  return internEndpoint(ctx.interner, e.serviceName || undefined, ipv4(e.ipv4), ipv6(e.ipv6), e.port || undefined);
}

function annotations(list: ProtoSpan['annotations'], ctx: DecodeContext): Annotation[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  return list.slice(0, ctx.limits.maxEventsPerSpan).map((a) => ({ timestampUs: toNumber(a.timestamp), value: a.value ?? '' }));
}
