/**
 * Ingest counters, per protocol. Plain numbers on a hot path; the metrics endpoint reads them.
 */
import type { DecodedBatch, RejectReason } from '../model/index.js';

export type IngestProtocol = 'zipkin-json' | 'zipkin-proto' | 'otlp-grpc' | 'otlp-proto' | 'otlp-json';

/** Why a whole request was refused. */
export type RefusalReason = 'malformed' | 'too-large' | 'too-many-spans' | 'buffer-full' | 'unsupported';

export interface ProtocolCounters {
  requests: number;
  payloadBytes: number;
  spansAccepted: number;
  spansRejected: Partial<Record<RejectReason, number>>;
  requestsRefused: Partial<Record<RefusalReason, number>>;
}

/** Upper bounds, seconds, for an ingest latency histogram: one request's decode, normalize and hand-off. */
export const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export class IngestStats {
  readonly byProtocol = new Map<IngestProtocol, ProtocolCounters>();
  /** Where request latencies go (the metrics endpoint's histogram); unset, they are dropped. */
  latencyObserver: ((protocol: IngestProtocol, seconds: number) => void) | undefined;

  /** Records how long one request took to ingest, seconds. */
  observeLatency(protocol: IngestProtocol, seconds: number): void {
    this.latencyObserver?.(protocol, seconds);
  }

  #counters(protocol: IngestProtocol): ProtocolCounters {
    let c = this.byProtocol.get(protocol);
    if (c === undefined) {
      c = { requests: 0, payloadBytes: 0, spansAccepted: 0, spansRejected: {}, requestsRefused: {} };
      this.byProtocol.set(protocol, c);
    }
    return c;
  }

  recordBatch(protocol: IngestProtocol, payloadBytes: number, batch: DecodedBatch): void {
    const c = this.#counters(protocol);
    c.requests++;
    c.payloadBytes += payloadBytes;
    c.spansAccepted += batch.spans.length;
    for (const r of batch.rejected) c.spansRejected[r.reason] = (c.spansRejected[r.reason] ?? 0) + 1;
  }

  recordRefusal(protocol: IngestProtocol, payloadBytes: number, reason: RefusalReason): void {
    const c = this.#counters(protocol);
    c.requests++;
    c.payloadBytes += payloadBytes;
    c.requestsRefused[reason] = (c.requestsRefused[reason] ?? 0) + 1;
  }

  toJSON(): Record<string, ProtocolCounters> {
    return Object.fromEntries(this.byProtocol);
  }
}
