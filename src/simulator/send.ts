/**
 * Posts simulated batches to a collector the way the provider's Envoy would: Zipkin v2 JSON to
 * `/api/v2/spans`, or OTLP protobuf to `/v1/traces` (ENVOY-ISTIO.md §1.4, §3).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { otlpProto, zipkinJson } from './encode.js';
import type { Provider, SimBatch } from './types.js';

export interface PlayTarget {
  /** e.g. http://host:9411 */
  readonly zipkinUrl?: string;
  /** e.g. http://host:4318 */
  readonly otlpHttpUrl?: string;
}

export interface PlayOptions {
  /** Pace batches by deliverAtUs relative to the first; else as fast as possible with a few in flight. */
  readonly realtime: boolean;
  readonly signal?: AbortSignal;
  /** Called after each batch, delivered or not. */
  readonly onProgress?: (sentBatches: number, total: number) => void;
}

export interface PlayResult {
  /** Batches the collector accepted (2xx). */
  readonly batches: number;
  /** Spans in those batches. */
  readonly spans: number;
  /** Batches refused or not delivered, after retries. */
  readonly failures: number;
}

const IN_FLIGHT = 4;
/** Realtime bursts (many proxies flushing on the same tick) may open more requests at once. */
const REALTIME_IN_FLIGHT = 64;
const MAX_429_RETRIES = 3;
const DEFAULT_RETRY_AFTER_S = 1;
const MAX_RETRY_AFTER_S = 30;

interface Endpoint {
  readonly url: string;
  readonly contentType: string;
  readonly encode: (batch: SimBatch) => Buffer;
}

function endpointFor(provider: Provider, target: PlayTarget): Endpoint {
  if (provider === 'zipkin') {
    if (target.zipkinUrl === undefined) throw new Error('play: the zipkin provider needs target.zipkinUrl');
    return { url: `${target.zipkinUrl.replace(/\/+$/, '')}/api/v2/spans`, contentType: 'application/json', encode: (b) => zipkinJson(b.spans) };
  }
  if (target.otlpHttpUrl === undefined) throw new Error('play: the opentelemetry provider needs target.otlpHttpUrl');
  return { url: `${target.otlpHttpUrl.replace(/\/+$/, '')}/v1/traces`, contentType: 'application/x-protobuf', encode: (b) => otlpProto(b.spans) };
}

/** Seconds to wait from a 429's Retry-After (delta-seconds or an HTTP date). */
function retryAfterSeconds(header: string | null): number {
  if (header === null) return DEFAULT_RETRY_AFTER_S;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(wait) ? Math.min(MAX_RETRY_AFTER_S, Math.max(0, wait)) : DEFAULT_RETRY_AFTER_S;
}

/** One POST, retried after each 429's Retry-After; true when the collector accepted it. */
async function post(endpoint: Endpoint, body: Buffer, signal: AbortSignal | undefined): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(endpoint.url, { method: 'POST', headers: { 'content-type': endpoint.contentType }, body, signal });
      // Drain the body so the connection goes back to the pool.
      await response.arrayBuffer();
    } catch {
      return false;
    }
    if (response.status !== 429 || attempt >= MAX_429_RETRIES) return response.ok;
    try {
      await sleep(retryAfterSeconds(response.headers.get('retry-after')) * 1000, undefined, { signal });
    } catch {
      return false;
    }
  }
}

/** Sends every batch; on abort, stops starting new ones and resolves with what was done. */
export async function play(batches: SimBatch[], provider: Provider, target: PlayTarget, opts: PlayOptions): Promise<PlayResult> {
  const endpoint = endpointFor(provider, target);
  const limit = opts.realtime ? REALTIME_IN_FLIGHT : IN_FLIGHT;
  const firstUs = batches[0]?.deliverAtUs ?? 0;
  const wallStart = performance.now();
  let accepted = 0;
  let spans = 0;
  let failures = 0;
  let done = 0;
  const inFlight = new Set<Promise<void>>();

  for (const batch of batches) {
    if (opts.signal?.aborted === true) break;
    if (opts.realtime) {
      const waitMs = (batch.deliverAtUs - firstUs) / 1000 - (performance.now() - wallStart);
      if (waitMs > 0) {
        try {
          await sleep(waitMs, undefined, { signal: opts.signal });
        } catch {
          break;
        }
      }
    }
    while (inFlight.size >= limit) await Promise.race(inFlight);
    const sending = post(endpoint, endpoint.encode(batch), opts.signal).then((ok) => {
      if (ok) {
        accepted++;
        spans += batch.spans.length;
      } else {
        failures++;
      }
      opts.onProgress?.(++done, batches.length);
      inFlight.delete(sending);
    });
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  return { batches: accepted, spans, failures };
}
