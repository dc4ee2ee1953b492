/**
 * Reports for a running server: analyses are cached for a second per (window, namespace), so a
 * dashboard refreshing often costs one analysis a second, and a new gap still shows within the
 * settle period plus that second.
 */
import type { PropagationAuditor } from './auditor.js';
import { analyze } from './report.js';
import type { Analysis } from './report.js';
import { indexGrafts } from './restitch.js';
import type { GraftIndex } from './restitch.js';

const FUTURE_TOLERANCE_US = 300_000_000;

interface Cached { readonly at: number; readonly version: number; readonly analysis: Analysis }

export class LiveAudit {
  readonly auditor: PropagationAuditor;
  readonly #nowUs: () => number;
  readonly #maxAgeUs: number;
  readonly #cache = new Map<string, Cached>();
  #grafts: { at: number; version: number; index: GraftIndex } | undefined;
  /** When a report was last asked for, µs. */
  #lastReadUs = Number.NEGATIVE_INFINITY;

  constructor(auditor: PropagationAuditor, nowUs: () => number, maxAgeMs = 1000) {
    this.auditor = auditor;
    this.#nowUs = nowUs;
    this.#maxAgeUs = maxAgeMs * 1000;
  }

  nowUs(): number {
    return this.#nowUs();
  }

  /**
   * True while someone reads reports (a dashboard, a Prometheus scrape) within `periodUs`: only
   * then is warming tallies between requests worth its CPU; otherwise the work waits for a reader.
   */
  readRecently(periodUs: number): boolean {
    return this.#nowUs() - this.#lastReadUs <= periodUs;
  }

  analysis(windowUs: number, namespace?: string): Analysis {
    const now = this.#nowUs();
    this.#lastReadUs = now;
    const key = `${windowUs}|${namespace ?? ''}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined && (hit.version === this.auditor.version || now - hit.at < this.#maxAgeUs)) return hit.analysis;
    if (this.#cache.size > 64) this.#cache.clear();
    // Spans from pods whose clocks run ahead are still in the window.
    const analysis = analyze(this.auditor, { fromUs: now - windowUs, toUs: now + FUTURE_TOLERANCE_US, namespace });
    this.#cache.set(key, { at: now, version: this.auditor.version, analysis });
    return analysis;
  }

  /** Grafts over everything retained, for stitched trace views. */
  grafts(): GraftIndex {
    const now = this.#nowUs();
    const g = this.#grafts;
    if (g !== undefined && (g.version === this.auditor.version || now - g.at < this.#maxAgeUs)) return g.index;
    const index = indexGrafts(this.analysis(this.auditor.options.retentionUs).grafts);
    this.#grafts = { at: now, version: this.auditor.version, index };
    return index;
  }
}
