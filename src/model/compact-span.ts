/**
 * The span object the decoders build: the fields of {@link Span}, with the small and the rarely
 * set ones packed.
 *
 * Every buffered span is one of these, held for the settle period and then by the store, so each
 * of its fields costs 8 bytes for each of up to millions of spans, and every one is copied by the
 * young-generation collector as the span survives it. Of the model's 27 fields, eight are small
 * enums, flags and numbers (kind, trace id width, source, status, shared, debug, error, HTTP
 * status), two are OTLP's nanosecond remainders (0-999), and six are nearly always absent on
 * sidecar spans (remote endpoint, annotations, status message, links, trace state, response
 * flags). Those sixteen live in three fields here: `flags`, `nanos` and `rare`, read back through
 * getters, so readers see the same {@link Span}.
 *
 * The start time is held as two small integers: a number beyond 31 bits in a field is a separate
 * 16-byte heap object, one more per span for the collector to copy.
 *
 * Spans are made by {@link compactSpan}, as an object literal given this class's prototype, never
 * with `new`: see there why.
 *
 * The packed fields are ordinary own properties, so two spans compare equal (in tests, say) only
 * when everything they stand for is equal. Copies must go through {@link spanFields}: an object
 * spread copies own properties only, and would drop what the getters give.
 */
import type { Annotation, Endpoint, SourceFormat, Span, SpanKind, SpanLink } from './span.js';
import type { StatusCode } from './span.js';
import type { TagGroup } from './tags.js';
import type { MeshIdentity } from './mesh.js';
import { highPart, joinParts, lowPart, splits } from './split-time.js';

/** The fields that are nearly always absent on sidecar spans; `rare` is undefined when all are. */
export interface RareSpanFields {
  readonly remoteEndpoint: Endpoint | undefined;
  readonly annotations: readonly Annotation[] | undefined;
  readonly statusMessage: string | undefined;
  readonly links: readonly SpanLink[] | undefined;
  readonly traceState: string | undefined;
  /** Envoy flags only a failed request has (`UF`, `NR`, ...). */
  readonly responseFlags: string | undefined;
  /** A start time that does not split (see split-time.ts); undefined otherwise. */
  readonly timestampUs: number | undefined;
}

const KINDS: readonly (SpanKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER', 'INTERNAL'];
const SOURCES: readonly SourceFormat[] = ['zipkin-json', 'zipkin-proto', 'otlp-grpc', 'otlp-proto', 'otlp-json'];

// `flags`: kind in bits 0-2, source in 3-5, status in 6-7, one bit each in 8-11, then the HTTP
// status + 1 (0 for none) in 12-21.
const KIND_MASK = 0x7;
const SOURCE_SHIFT = 3;
const SOURCE_MASK = 0x7;
const STATUS_SHIFT = 6;
const STATUS_MASK = 0x3;
const TRACE_ID_128 = 1 << 8;
const SHARED = 1 << 9;
const DEBUG = 1 << 10;
const ERROR = 1 << 11;
const HTTP_STATUS_SHIFT = 12;
const HTTP_STATUS_MASK = 0x3ff;

// The start time in µs as `startHigh` and `startLow` (split-time.ts) for any whole number below
// 2^57. Any other start (a fraction, or a fixed64 beyond that) is kept whole in `rare`, with
// `startHigh` -1: a single span storing a large number there would make V8 box that field for
// every span from then on.

// `nanos`: each remainder + 1 (0 for "none", 1-1000 for 0-999) in 11 bits.
const NANOS_SHIFT = 11;
const NANOS_MASK = 0x7ff;

function indexIn<T>(list: readonly T[], value: T, what: string): number {
  const i = list.indexOf(value);
  if (i === -1) throw new RangeError(`unknown span ${what}: ${String(value)}`);
  return i;
}

const STATUS_CODES: readonly StatusCode[] = [0, 1, 2];

function packFlags(f: Span): number {
  return spanFlags(f.kind, f.source, f.statusCode, f.traceIdBits, f.shared, f.debug, f.error, f.httpStatus);
}

/** The `flags` field of a span with these values (see {@link packedSpan}). */
// eslint-disable-next-line max-params -- one argument per field: an options object would be garbage per span
export function spanFlags(kind: SpanKind | undefined, source: SourceFormat, statusCode: StatusCode, traceIdBits: 64 | 128,
  shared: boolean, debug: boolean, error: boolean, httpStatus: number | undefined): number {
  return indexIn(KINDS, kind, 'kind')
    | (indexIn(SOURCES, source, 'source') << SOURCE_SHIFT)
    // Through the list, so a code out of range is refused rather than spilling into the flags above it.
    | (indexIn(STATUS_CODES, statusCode, 'status code') << STATUS_SHIFT)
    | (traceIdBits === 128 ? TRACE_ID_128 : 0)
    | (shared ? SHARED : 0)
    | (debug ? DEBUG : 0)
    | (error ? ERROR : 0)
    | (httpStatusPart(httpStatus) << HTTP_STATUS_SHIFT);
}

/** The HTTP status + 1, or 0 for none; the decoders only keep 0-999. */
function httpStatusPart(status: number | undefined): number {
  if (status === undefined) return 0;
  if (!Number.isInteger(status) || status < 0 || status >= HTTP_STATUS_MASK) throw new RangeError(`HTTP status out of range: ${status}`);
  return status + 1;
}

function nanosPart(remainder: number): number {
  if (!Number.isInteger(remainder) || remainder < -1 || remainder > 999) throw new RangeError(`nanosecond remainder out of range: ${remainder}`);
  return remainder + 1;
}

/**
 * The `rare` field of a span with these values (see {@link packedSpan}, which adds a start time
 * that does not split): undefined when all are absent.
 */
// eslint-disable-next-line max-params -- one argument per field: an options object would be garbage per span
export function rareSpanFields(remoteEndpoint: Endpoint | undefined, annotations: readonly Annotation[] | undefined,
  statusMessage: string | undefined, links: readonly SpanLink[] | undefined, traceState: string | undefined,
  responseFlags: string | undefined): RareSpanFields | undefined {
  if (remoteEndpoint === undefined && annotations === undefined && statusMessage === undefined && links === undefined
    && traceState === undefined && responseFlags === undefined) {
    return undefined;
  }
  return { remoteEndpoint, annotations, statusMessage, links, traceState, responseFlags, timestampUs: undefined };
}

/** `rare` with a start time that does not split kept whole in it. */
function withWholeStart(rare: RareSpanFields | undefined, timestampUs: number): RareSpanFields {
  return {
    remoteEndpoint: rare?.remoteEndpoint, annotations: rare?.annotations, statusMessage: rare?.statusMessage,
    links: rare?.links, traceState: rare?.traceState, responseFlags: rare?.responseFlags, timestampUs,
  };
}

export class CompactSpan implements Span {
  // The fields are declared, not defined: compactSpan() makes them, in this order.
  // Assigned (not readonly) where the trace buffer swaps in a shared, equal instance: see traces/share.ts.
  declare traceId: string;
  declare id: string;
  declare parentId: string | undefined;
  declare readonly name: string;
  /** The start time, split (see split-time.ts). */
  declare readonly startHigh: number;
  declare readonly startLow: number;
  declare readonly durationUs: number;
  declare readonly localEndpoint: Endpoint | undefined;
  declare readonly sharedTags: TagGroup;
  declare readonly ownTags: readonly string[];
  declare readonly mesh: MeshIdentity | undefined;
  declare requestId: string | undefined;
  /** Kind, source, status, the boolean fields and the HTTP status, packed (see the masks above). */
  declare readonly flags: number;
  /** The nanosecond remainders, packed; 0 when the span has none. */
  declare readonly nanos: number;
  declare readonly rare: RareSpanFields | undefined;

  /** Spans are made by {@link compactSpan} only. */
  private constructor() {
    throw new TypeError('spans are made by compactSpan()');
  }

  get timestampUs(): number {
    return this.startHigh >= 0 ? joinParts(this.startHigh, this.startLow) : this.rare!.timestampUs!;
  }

  get httpStatus(): number | undefined {
    const part = (this.flags >> HTTP_STATUS_SHIFT) & HTTP_STATUS_MASK;
    return part === 0 ? undefined : part - 1;
  }

  get traceIdBits(): 64 | 128 {
    return (this.flags & TRACE_ID_128) !== 0 ? 128 : 64;
  }

  get kind(): SpanKind | undefined {
    return KINDS[this.flags & KIND_MASK];
  }

  get source(): SourceFormat {
    return SOURCES[(this.flags >> SOURCE_SHIFT) & SOURCE_MASK]!;
  }

  get statusCode(): StatusCode {
    return ((this.flags >> STATUS_SHIFT) & STATUS_MASK) as StatusCode;
  }

  get shared(): boolean {
    return (this.flags & SHARED) !== 0;
  }

  get debug(): boolean {
    return (this.flags & DEBUG) !== 0;
  }

  get error(): boolean {
    return (this.flags & ERROR) !== 0;
  }

  get startNanosRemainder(): number {
    return ((this.nanos >> NANOS_SHIFT) & NANOS_MASK) - 1;
  }

  get endNanosRemainder(): number {
    return (this.nanos & NANOS_MASK) - 1;
  }

  get remoteEndpoint(): Endpoint | undefined {
    return this.rare?.remoteEndpoint;
  }

  get annotations(): readonly Annotation[] | undefined {
    return this.rare?.annotations;
  }

  get statusMessage(): string | undefined {
    return this.rare?.statusMessage;
  }

  get links(): readonly SpanLink[] | undefined {
    return this.rare?.links;
  }

  get traceState(): string | undefined {
    return this.rare?.traceState;
  }

  get responseFlags(): string | undefined {
    return this.rare?.responseFlags;
  }
}

/** Every field of a span as a plain object, whatever its representation: the way to copy one with changes. */
export function spanFields(s: Span): Span {
  return {
    traceId: s.traceId, traceIdBits: s.traceIdBits, id: s.id, parentId: s.parentId, kind: s.kind, name: s.name,
    timestampUs: s.timestampUs, durationUs: s.durationUs, startNanosRemainder: s.startNanosRemainder, endNanosRemainder: s.endNanosRemainder,
    localEndpoint: s.localEndpoint, remoteEndpoint: s.remoteEndpoint, sharedTags: s.sharedTags, ownTags: s.ownTags,
    annotations: s.annotations, shared: s.shared, debug: s.debug, statusCode: s.statusCode, statusMessage: s.statusMessage,
    error: s.error, links: s.links, traceState: s.traceState, source: s.source, mesh: s.mesh, requestId: s.requestId,
    httpStatus: s.httpStatus, responseFlags: s.responseFlags,
  };
}

/** The span for `f`: every field of a span; the remainders must be -1 or 0-999, as {@link Span} says. */
export function compactSpan(f: Span): CompactSpan {
  return packedSpan(f.traceId, f.id, f.parentId, f.name, f.timestampUs, f.durationUs, f.localEndpoint, f.sharedTags, f.ownTags,
    f.mesh, f.requestId, packFlags(f), spanNanos(f.startNanosRemainder, f.endNanosRemainder),
    rareSpanFields(f.remoteEndpoint, f.annotations, f.statusMessage, f.links, f.traceState, f.responseFlags));
}

/** The `nanos` field of a span with these remainders (-1 or 0-999 each; see {@link packedSpan}). */
export function spanNanos(startNanosRemainder: number, endNanosRemainder: number): number {
  return (nanosPart(startNanosRemainder) << NANOS_SHIFT) | nanosPart(endNanosRemainder);
}

/**
 * {@link compactSpan} from the fields kept as they are and the packed ones: `flags` from
 * {@link spanFlags}, `nanos` from {@link spanNanos} (0 for none), `rare` from {@link rareSpanFields}.
 * The decoders call it directly: a {@link Span} made only to be read here was a quarter kilobyte
 * of garbage per span.
 *
 * Built as an object literal and then given {@link CompactSpan}'s prototype, because V8 allocates
 * a literal's objects straight into the old generation (pretenuring) once nearly all of them
 * outlive two young-generation collections, as buffered spans do: they are then never copied by
 * that collector. A class instance (`new`) has no such allocation site, nor has a literal naming
 * its `__proto__`, and each span was copied twice on its way to the old generation. In a running
 * server this cut the bytes promoted per span by two fifths (368 to 222 with Zipkin JSON). The
 * prototype is the same for every span, so V8 gives them all one shape.
 */
// eslint-disable-next-line max-params -- one argument per field: an options object would be garbage per span
export function packedSpan(traceId: string, id: string, parentId: string | undefined, name: string, timestampUs: number,
  durationUs: number, localEndpoint: Endpoint | undefined, sharedTags: TagGroup, ownTags: readonly string[],
  mesh: MeshIdentity | undefined, requestId: string | undefined, flags: number, nanos: number,
  rare: RareSpanFields | undefined): CompactSpan {
  const split = splits(timestampUs);
  const fields = {
    traceId,
    id,
    parentId,
    name,
    // -0 (which JSON.parse gives for "-0") splits into two zeros.
    startHigh: split ? highPart(timestampUs) : -1,
    startLow: split ? lowPart(timestampUs) : 0,
    durationUs,
    localEndpoint,
    sharedTags,
    ownTags,
    mesh,
    requestId,
    flags,
    nanos,
    rare: split ? rare : withWholeStart(rare, timestampUs),
  };
  return Object.setPrototypeOf(fields, CompactSpan.prototype) as CompactSpan;
}
