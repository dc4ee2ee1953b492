/**
 * The `audit` section of `npm run bench`: plays the mesh simulator through the real pipeline
 * (Zipkin/OTLP decoding, trace assembly, the audit) on a simulated clock, over a matrix of
 * topologies × behaviours × sampling × concurrency × clock skew, and scores the report against
 * the simulator's ground truth.
 */
import { DecodeContext } from '../src/ingest/index.js';
import { Interner } from '../src/model/index.js';
import { DEFAULT_AUDIT_OPTIONS, PropagationAuditor, analyze } from '../src/propagation-audit/index.js';
import type { Analysis } from '../src/propagation-audit/index.js';
import { BEHAVIOURS, TOPOLOGIES, simulate } from '../src/simulator/index.js';
import type { Behaviour, GroundTruth, SimBatch, SimulationOptions, TopologyName } from '../src/simulator/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import { decodeZipkinJson } from '../src/zipkin-ingest/index.js';

/** Which workload misbehaves in each topology (it has callees, so a break is visible). */
const BREAKER: Record<TopologyName, string[]> = {
  'bookinfo': ['productpage'],
  'online-boutique': ['checkout', 'recommendation'],
  'social-network': ['compose-post'],
};

export interface AuditCase extends SimulationOptions { readonly behaviour: Behaviour }

export function auditMatrix(quick: boolean): AuditCase[] {
  const cases: AuditCase[] = [];
  const samplings = quick ? [1, 100] : [1, 10, 100];
  const concurrencies = quick ? [1, 200] : [1, 20, 200];
  const skews = quick ? [50] : [0, 50];
  let seed = 1;
  for (const topology of TOPOLOGIES) {
    for (const behaviour of BEHAVIOURS) {
      for (const samplingPercent of samplings) {
        for (const concurrency of concurrencies) {
          for (const clockSkewMs of skews) {
            // Enough requests that the misbehaving workload sees a few hundred sampled requests.
            const requests = Math.round(Math.min(60_000, 400 / (samplingPercent / 100)) * (quick ? 0.5 : 1));
            const provider = behaviour === 'forward-traceparent-only' ? 'zipkin' : behaviour === 'forward-b3-only' ? 'opentelemetry' : (seed % 2 === 0 ? 'zipkin' : 'opentelemetry');
            const behaviours = Object.fromEntries(BREAKER[topology].map((w) => [w, behaviour]));
            cases.push({ topology, provider, samplingPercent, concurrency, requests, clockSkewMs, behaviours, seed: seed++, behaviour, startUs: 1_800_000_000_000_000 });
          }
        }
      }
    }
  }
  return cases;
}

/** Plays the batches through decode → assembler → audit on the simulated clock; returns pipeline CPU µs. */
function play(batches: SimBatch[], auditor: PropagationAuditor | undefined, settleMs: number): { cpuUs: number; spans: number } {
  let nowMs = batches.length > 0 ? batches[0]!.deliverAtUs / 1000 : 0;
  const store = new MemoryTraceStore({ retentionMs: Number.MAX_SAFE_INTEGER, maxSpans: Number.MAX_SAFE_INTEGER });
  const assembler = new TraceAssembler({
    settleMs, maxBufferedSpans: Number.MAX_SAFE_INTEGER, maxTraceAgeMs: 60_000, store, now: () => nowMs,
    ...(auditor === undefined ? {} : { onSettled: (t) => auditor.observe(t.spans) }),
  });
  const ctx = new DecodeContext({ maxTagsPerSpan: 128, maxTagValueLength: 4096, maxEventsPerSpan: 128 }, new Interner());
  // The wire text, made before the clock starts: the sender's work is not the pipeline's.
  const bodies = batches.map((b) => JSON.stringify(b.spans));
  const start = process.cpuUsage();
  let lastTick = nowMs;
  let spans = 0;
  for (const [i, b] of batches.entries()) {
    nowMs = b.deliverAtUs / 1000;
    if (nowMs - lastTick >= 1000) {
      assembler.settleDue();
      lastTick = nowMs;
    }
    const batch = decodeZipkinJson(JSON.parse(bodies[i]!), ctx);
    spans += batch.spans.length;
    assembler.accept(batch.spans);
  }
  nowMs += settleMs * 10;
  assembler.settleAll();
  const used = process.cpuUsage(start);
  return { cpuUs: used.user + used.system, spans };
}

export interface CaseScore {
  readonly c: AuditCase;
  readonly tp: number; readonly fp: number; readonly fn: number;
  /** Verdicts on workloads below the evidence threshold that were wrong (not insufficient-data). */
  readonly wrongBelowThreshold: number;
  /** Gaps reported on healthy workloads, gateways and originators. */
  readonly falseGaps: number;
  readonly grafts: { readonly confidence: number; readonly correct: boolean; readonly requestId: boolean }[];
  readonly cpuUs: { readonly withAudit: number; readonly withoutAudit: number };
  readonly spans: number;
}

export function score(c: AuditCase, truth: GroundTruth, analysis: Analysis, minRequests: number): Omit<CaseScore, 'cpuUs' | 'spans'> {
  let tp = 0; let fp = 0; let fn = 0; let wrongBelowThreshold = 0; let falseGaps = 0;
  for (const t of truth.workloads) {
    const r = analysis.report.workloads.find((w) => w.namespace === t.namespace && w.workload === t.workload);
    const flagged = r?.verdict === 'breaks-propagation';
    const gaps = r === undefined ? 0 : r.gaps.confirmed + r.gaps.inferred + r.gaps.unattributed;
    if (!t.breaks && gaps > 0) falseGaps += gaps;
    if (t.role !== 'service') {
      if (flagged) fp++;
      continue;
    }
    const sampled = r?.requests ?? 0;
    if (sampled < minRequests) {
      if (r !== undefined && r.verdict !== 'insufficient-data' && flagged !== t.breaks) wrongBelowThreshold++;
      continue;
    }
    if (flagged && t.breaks) tp++;
    else if (flagged) fp++;
    else if (t.breaks) fn++;
  }
  const truthBySpan = new Map(truth.orphans.map((o) => [`${o.traceId}/${o.spanId}`, o]));
  const grafts = analysis.grafts.map((g) => {
    const o = truthBySpan.get(`${g.orphanTraceId}/${g.orphanSpanId}`);
    return { confidence: g.confidence, correct: o !== undefined && o.parent.traceId === g.parentTraceId && o.parent.spanId === g.parentSpanId, requestId: o?.requestIdForwarded ?? false };
  });
  return { c, tp, fp, fn, wrongBelowThreshold, falseGaps, grafts };
}

export function runCase(c: AuditCase): CaseScore {
  const { batches, truth } = simulate(c);
  const minRequests = 200;
  const bare = play(batches, undefined, 2000);
  const auditor = new PropagationAuditor({ minRequests, minGraftConfidence: 0 });
  const audited = play(batches, auditor, 2000);
  const analysisStart = process.cpuUsage();
  const analysis = analyze(auditor, { fromUs: 0, toUs: Number.MAX_SAFE_INTEGER });
  const analysisCpu = process.cpuUsage(analysisStart);
  return {
    ...score(c, truth, analysis, minRequests),
    cpuUs: { withAudit: audited.cpuUs + analysisCpu.user + analysisCpu.system, withoutAudit: bare.cpuUs },
    spans: audited.spans,
  };
}

export interface AuditSummary {
  readonly cases: number;
  readonly precision: number;
  readonly recall: number;
  readonly falseGaps: number;
  readonly wrongBelowThreshold: number;
  readonly graftAccuracy: { readonly withRequestId: number; readonly withoutRequestIdLowConcurrency: number; readonly madeWithRequestId: number; readonly madeWithout: number };
  readonly calibration: { readonly bucket: string; readonly grafts: number; readonly meanConfidence: number; readonly accuracy: number }[];
  /** Expected calibration error over those buckets: the graft-weighted mean |confidence - accuracy|. */
  readonly calibrationError: number;
  readonly auditCpuOverhead: number;
  readonly failures: string[];
}

export function summarize(scores: CaseScore[], minGraftConfidence = DEFAULT_AUDIT_OPTIONS.minGraftConfidence): AuditSummary {
  const sum = (f: (s: CaseScore) => number): number => scores.reduce((n, s) => n + f(s), 0);
  const tp = sum((s) => s.tp); const fp = sum((s) => s.fp); const fn = sum((s) => s.fn);
  const made = scores.flatMap((s) => s.grafts.filter((g) => g.confidence >= minGraftConfidence).map((g) => ({ ...g, concurrency: s.c.concurrency })));
  const withRid = made.filter((g) => g.requestId);
  const without = made.filter((g) => !g.requestId && g.concurrency <= 20);
  const accuracy = (list: { correct: boolean }[]): number => (list.length === 0 ? 1 : list.filter((g) => g.correct).length / list.length);
  const all = scores.flatMap((s) => s.grafts.filter((g) => !g.requestId));
  const calibration = [];
  for (let b = 0; b < 10; b++) {
    const lo = b / 10; const hi = (b + 1) / 10;
    const inBucket = all.filter((g) => g.confidence >= lo && (g.confidence < hi || (b === 9 && g.confidence <= 1)));
    if (inBucket.length === 0) continue;
    calibration.push({ bucket: `${lo.toFixed(1)}-${hi.toFixed(1)}`, grafts: inBucket.length, meanConfidence: inBucket.reduce((n, g) => n + g.confidence, 0) / inBucket.length, accuracy: accuracy(inBucket) });
  }
  const failures = scores.filter((s) => s.fp > 0 || s.fn > 0 || s.falseGaps > 0 || s.wrongBelowThreshold > 0).map((s) =>
    `${s.c.topology} ${s.c.behaviour} ${s.c.provider} ${s.c.samplingPercent}% c=${s.c.concurrency} skew=${s.c.clockSkewMs}: fp=${s.fp} fn=${s.fn} falseGaps=${s.falseGaps} wrongBelow=${s.wrongBelowThreshold}`);
  return {
    cases: scores.length,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    falseGaps: sum((s) => s.falseGaps),
    wrongBelowThreshold: sum((s) => s.wrongBelowThreshold),
    graftAccuracy: { withRequestId: accuracy(withRid), withoutRequestIdLowConcurrency: accuracy(without), madeWithRequestId: withRid.length, madeWithout: without.length },
    calibration,
    calibrationError: all.length === 0 ? 0 : calibration.reduce((n, c) => n + c.grafts * Math.abs(c.meanConfidence - c.accuracy), 0) / all.length,
    auditCpuOverhead: sum((s) => s.cpuUs.withAudit) / sum((s) => s.cpuUs.withoutAudit) - 1,
    failures,
  };
}

export function auditBench(quick: boolean, log: (msg: string) => void): AuditSummary {
  const cases = auditMatrix(quick);
  const scores: CaseScore[] = [];
  for (const [i, c] of cases.entries()) {
    scores.push(runCase(c));
    if ((i + 1) % 20 === 0) log(`  audit ${i + 1}/${cases.length} cases`);
  }
  return summarize(scores);
}
