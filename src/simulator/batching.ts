/**
 * Envoy's span reporting: each worker thread of a proxy buffers a span when the span ends and
 * flushes its buffer when it holds `min_flush_spans` spans or when its periodic flush timer fires
 * (ENVOY-ISTIO.md §1.4, §3). Istio runs proxies with two worker threads.
 */
import type { Pod } from './pods.js';
import type { Random } from './random.js';
import type { SimBatch, SimSpan } from './types.js';

export interface FlushOptions {
  readonly flushSpans: number;
  readonly flushIntervalMs: number;
  readonly lateFraction: number;
  /** Real µs the proxies started; flush timers tick from here at a random phase. */
  readonly startUs: number;
}

const WORKERS_PER_PROXY = 2;
const LATE_MIN_US = 2_000_000;
const LATE_MAX_US = 8_000_000;

interface Worker {
  buffer: SimSpan[];
  nextTickUs: number;
}

/** Every pod's emitted spans as the batches its proxy posts, sorted by delivery time. */
export function flushBatches(pods: Iterable<Pod>, opts: FlushOptions, random: Random): SimBatch[] {
  const intervalUs = opts.flushIntervalMs * 1000;
  const batches: SimBatch[] = [];
  const deliver = (pod: Pod, atUs: number, spans: SimSpan[]): void => {
    const transit = random.chance(opts.lateFraction) ? random.int(LATE_MIN_US, LATE_MAX_US) : random.int(300, 3000);
    batches.push({ deliverAtUs: atUs + transit, reporter: pod.nodeId, spans });
  };
  for (const pod of pods) {
    if (pod.spans.length === 0) continue;
    const workers: Worker[] = [];
    for (let w = 0; w < WORKERS_PER_PROXY; w++) workers.push({ buffer: [], nextTickUs: opts.startUs + Math.floor(random.next() * intervalUs) });
    for (const i of endOrder(pod.ends)) {
      const endUs = pod.ends[i]!;
      // A connection stays on one worker; across many requests that is a coin toss per span.
      const worker = workers[random.int(0, WORKERS_PER_PROXY - 1)]!;
      if (worker.nextTickUs <= endUs) {
        // Everything buffered ended before this tick, so the tick flushed it; later ticks found nothing.
        if (worker.buffer.length > 0) deliver(pod, worker.nextTickUs, worker.buffer);
        worker.buffer = [];
        worker.nextTickUs += Math.ceil((endUs - worker.nextTickUs + 1) / intervalUs) * intervalUs;
      }
      worker.buffer.push(pod.spans[i]!);
      if (worker.buffer.length >= opts.flushSpans) {
        deliver(pod, endUs, worker.buffer);
        worker.buffer = [];
      }
    }
    for (const worker of workers) if (worker.buffer.length > 0) deliver(pod, worker.nextTickUs, worker.buffer);
  }
  // Array.prototype.sort is stable, so equal times keep their flush order.
  return batches.sort((a, b) => a.deliverAtUs - b.deliverAtUs);
}

/** Indices of `ends` in ascending order (ties in emission order). */
function endOrder(ends: readonly number[]): Uint32Array {
  const order = new Uint32Array(ends.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => ends[a]! - ends[b]! || a - b);
}
