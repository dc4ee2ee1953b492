/**
 * Per-workload counts of the trace headers apps sent on outbound calls (`header-evidence.ts`),
 * over a sliding window of one-minute buckets, for drift's `provider-mismatch` finding. Bounded:
 * at most `maxWorkloads` workloads, the least recently counted one evicted (and counted) beyond.
 */
import type { MeshIdentity, Span } from '../model/index.js';
import { classifySpan } from './header-evidence.js';
import type { HeaderVerdict } from './header-evidence.js';
import type { FamilyEvidence, HeaderEvidence } from './types.js';

export interface HeaderTallyOptions {
  /** Minutes the evidence covers. Default 15. */
  readonly windowMinutes?: number;
  /** Workloads held at most. Default 2,000. */
  readonly maxWorkloads?: number;
  /** Clock in epoch ms; injected so tests need no sleeps. Default `Date.now`. */
  readonly now?: () => number;
}

export interface HeaderTallyStats {
  readonly workloads: number;
  /** Sidecar outbound spans that carried a header tag (evidence or not: Envoy's own injection, malformed). */
  readonly spansWithHeaders: number;
  /** Workloads dropped to stay within `maxWorkloads`. */
  readonly evicted: number;
}

/** Counter slots per bucket: per family (traceparent, b3) ignored, ignored on roots, agreeing. */
const SLOTS = 6;
const MINUTE_MS = 60_000;

interface WorkloadCounts {
  /** The minute each ring bucket holds (-1: none yet). */
  readonly minutes: Int32Array;
  readonly counts: Uint32Array;
  /** Minute of the newest count, to move the workload to the back of the eviction order once a minute. */
  lastMinute: number;
}

function add(counts: Uint32Array, at: number, verdict: HeaderVerdict | undefined, root: boolean): void {
  if (verdict === 'ignored') {
    counts[at]!++;
    if (root) counts[at + 1]!++;
  } else if (verdict === 'agreeing') {
    counts[at + 2]!++;
  }
}

function isEvidence(v: HeaderVerdict | undefined): boolean {
  return v === 'ignored' || v === 'agreeing';
}

function family(sums: Uint32Array | number[], at: number): FamilyEvidence {
  return { ignored: sums[at]!, ignoredOnRoots: sums[at + 1]!, agreeing: sums[at + 2]! };
}

export class HeaderTally {
  readonly #window: number;
  readonly #max: number;
  readonly #now: () => number;
  /** In eviction order: least recently counted first. */
  readonly #workloads = new Map<string, WorkloadCounts>();
  readonly #keys = new WeakMap<MeshIdentity, string>();
  #spansWithHeaders = 0;
  #evicted = 0;

  constructor(options: HeaderTallyOptions = {}) {
    this.#window = Math.max(1, Math.floor(options.windowMinutes ?? 15));
    this.#max = Math.max(1, Math.floor(options.maxWorkloads ?? 2000));
    this.#now = options.now ?? Date.now;
  }

  /** Counts the header evidence of these spans (a span sink's batch); every other span costs two compares. */
  observe(spans: readonly Span[]): void {
    let minute = -1;
    for (const span of spans) {
      const h = classifySpan(span);
      if (h === undefined) continue;
      this.#spansWithHeaders++;
      const workload = span.mesh!.workload;
      if (workload === undefined || !(isEvidence(h.traceparent) || isEvidence(h.b3))) continue;
      if (minute < 0) minute = Math.floor(this.#now() / MINUTE_MS);
      const w = this.#current(this.#keyOf(span.mesh!, workload), minute);
      if (w === undefined) continue;
      const at = (minute % this.#window) * SLOTS;
      add(w.counts, at, h.traceparent, h.root);
      add(w.counts, at + 3, h.b3, h.root);
    }
  }

  /** The evidence of one workload (`namespace/workload`) over the window, or undefined when it has none. */
  evidence(workloadKey: string): HeaderEvidence | undefined {
    const w = this.#workloads.get(workloadKey);
    if (w === undefined) return undefined;
    const now = Math.floor(this.#now() / MINUTE_MS);
    const sums = [0, 0, 0, 0, 0, 0];
    let any = false;
    for (let b = 0; b < this.#window; b++) {
      const m = w.minutes[b]!;
      if (m < 0 || m <= now - this.#window || m > now) continue;
      for (let i = 0; i < SLOTS; i++) sums[i]! += w.counts[b * SLOTS + i]!;
      any = true;
    }
    return any ? { traceparent: family(sums, 0), b3: family(sums, 3) } : undefined;
  }

  /** Drops workloads with nothing left in the window (the server calls this from its prune tick). */
  prune(): void {
    const oldest = Math.floor(this.#now() / MINUTE_MS) - this.#window;
    for (const [key, w] of this.#workloads) {
      // Eviction order is by last count, so the first workload still in the window ends the scan.
      if (w.lastMinute > oldest) break;
      this.#workloads.delete(key);
    }
  }

  stats(): HeaderTallyStats {
    return { workloads: this.#workloads.size, spansWithHeaders: this.#spansWithHeaders, evicted: this.#evicted };
  }

  /** `namespace/workload`, the key of the audit and of xDS workloads (`workloadKeyOf`). */
  #keyOf(mesh: MeshIdentity, workload: string): string {
    let key = this.#keys.get(mesh);
    if (key === undefined) {
      key = `${mesh.namespace ?? 'unknown'}/${workload}`;
      this.#keys.set(mesh, key);
    }
    return key;
  }

  /** `key`'s counters with the bucket of `minute` current (cleared when its ring slot held an older minute). */
  #current(key: string, minute: number): WorkloadCounts | undefined {
    let w = this.#workloads.get(key);
    if (w === undefined) {
      if (this.#workloads.size >= this.#max) this.#evictOne(minute);
      w = { minutes: new Int32Array(this.#window).fill(-1), counts: new Uint32Array(this.#window * SLOTS), lastMinute: minute };
      this.#workloads.set(key, w);
    } else if (w.lastMinute !== minute) {
      // A clock stepping back: its minute's slot may hold a newer one; drop rather than mix them.
      if (minute < w.lastMinute) return undefined;
      // Once a minute per workload, not per span: keeps the map in least-recently-counted order.
      this.#workloads.delete(key);
      this.#workloads.set(key, w);
      w.lastMinute = minute;
    }
    const b = minute % this.#window;
    if (w.minutes[b] !== minute) {
      w.minutes[b] = minute;
      w.counts.fill(0, b * SLOTS, (b + 1) * SLOTS);
    }
    return w;
  }

  #evictOne(minute: number): void {
    const first = this.#workloads.keys().next();
    if (first.done === true) return;
    const w = this.#workloads.get(first.value)!;
    // A workload whose counts all left the window is pruned, not evicted.
    if (w.lastMinute > minute - this.#window) this.#evicted++;
    this.#workloads.delete(first.value);
  }
}
