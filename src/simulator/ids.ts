/**
 * Trace ids, span ids and x-request-ids. Ids are made only when something will read them: the
 * spans of an unsampled request are never emitted, so their ids are never drawn unless a broken
 * call later names one as its true parent.
 */
import type { Random } from './random.js';
import type { Provider } from './types.js';

/** One trace: every span of it shares the id and the sampling decision. */
export interface Trace {
  id: string | undefined;
  readonly sampled: boolean;
}

export interface SpanRef {
  readonly trace: Trace;
  id: string | undefined;
  /** First span of its trace (no parentId). */
  readonly root: boolean;
}

/** x-request-id. `head` is the first 8 hex digits, which is all Envoy's sampling reads. */
export interface RequestId {
  readonly head: number;
  readonly sampled: boolean;
  text: string | undefined;
}

const RFC4122_VARIANT = ['8', '9', 'a', 'b'] as const;

export class Ids {
  readonly #random: Random;
  readonly #provider: Provider;

  constructor(random: Random, provider: Provider) {
    this.#random = random;
    this.#provider = provider;
  }

  traceId(trace: Trace): string {
    if (trace.id === undefined) {
      // Istio turns on 128-bit trace ids for new traces (ENVOY-ISTIO.md §1.2).
      trace.id = this.#random.hexWords(4);
    }
    return trace.id;
  }

  spanId(span: SpanRef): string {
    if (span.id === undefined) {
      // Envoy's Zipkin tracer gives a root span the trace id's low 64 bits as its id (§1.5);
      // the OpenTelemetry tracer draws a fresh one.
      span.id = span.root && this.#provider === 'zipkin'
        ? this.traceId(span.trace).slice(16)
        : this.#random.hexWords(2);
    }
    return span.id;
  }

  /**
   * Envoy's UUID with its trace status in the version nibble (char 14): '9' sampled, '4' not
   * (ENVOY-ISTIO.md §4.2).
   */
  requestIdText(rid: RequestId): string {
    if (rid.text === undefined) {
      const r = this.#random;
      const a = r.hex8();
      const b = r.hex8();
      const c = r.hex8();
      rid.text = `${rid.head.toString(16).padStart(8, '0')}-${a.slice(0, 4)}-${rid.sampled ? '9' : '4'}${a.slice(5, 8)}-`
        + `${RFC4122_VARIANT[r.int(0, 3)]!}${b.slice(1, 4)}-${b.slice(4)}${c}`;
    }
    return rid.text;
  }
}

/**
 * Envoy's decision for a request id: `first 8 hex % 10000` against `random_sampling`, a percent
 * rounded to 1/10000 (`PROTOBUF_PERCENT_TO_ROUNDED_INTEGER_OR_DEFAULT(..., 10000, ...)`).
 */
export function samplingThreshold(samplingPercent: number): number {
  return Math.round(samplingPercent * 100);
}

export function newRequestId(random: Random, threshold: number): RequestId {
  const head = random.uint32();
  return { head, sampled: head % 10000 < threshold, text: undefined };
}

export function newTrace(sampled: boolean): Trace {
  return { id: undefined, sampled };
}

export function childOf(trace: Trace): SpanRef {
  return { trace, id: undefined, root: false };
}

export function rootOf(trace: Trace): SpanRef {
  return { trace, id: undefined, root: true };
}
