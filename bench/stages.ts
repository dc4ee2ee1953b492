/**
 * Where the ingest pipeline's CPU goes, in one process and without sockets: the same Envoy-like
 * batches through the server's decoder alone, then also through trace assembly and the store,
 * then also through the propagation audit, wired as `meshtrace serve` wires them. The stages
 * alternate over the rounds and each figure is its spans over its CPU summed across them.
 *
 * The end-to-end figures swing by a quarter between runs on a shared machine; these show which
 * stage a change moved. Each run starts from an empty pipeline whose garbage is collected
 * (uncounted) beforehand; the retention it builds up (a 1 s settle period on a simulated clock,
 * a store a third the size of the run, so it evicts for most of it, the audit's observations) is
 * charged to the stage that built it.
 *
 * Usage: stages.js <zipkin-json|otlp-proto> <spans per run> <rounds>. Run with --expose-gc;
 * prints one JSON line.
 */
import { DecodeContext } from '../src/ingest/index.js';
import type { DecodedBatch } from '../src/model/index.js';
import { decodeOtlpProto } from '../src/otlp-ingest/index.js';
import { PropagationAuditor } from '../src/propagation-audit/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import { decodeZipkinJson } from '../src/zipkin-ingest/index.js';
import { scanZipkinJson } from '../src/zipkin-ingest/json-scan.js';
import { envoyBatches } from './envoy-spans.js';
import { otlpProto, zipkinJson } from './encode.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const format = process.argv[2];
if (format !== 'zipkin-json' && format !== 'otlp-proto') throw new Error('usage: stages.js <zipkin-json|otlp-proto> <spans> <rounds>');
const count = Number(process.argv[3] ?? 300_000);
const rounds = Number(process.argv[4] ?? 3);

const STAGES = ['decode', 'assemble', 'audit'] as const;
type Stage = (typeof STAGES)[number];

/** Spans in a batch advance the simulated clock as if they arrived at this rate. */
const SIMULATED_SPANS_PER_SECOND = 70_000;
const SETTLE_MS = 1000;
/** A third of a run: the store evicts for most of it, as the server's does in the end-to-end phases. */
const STORED_SPANS = Math.floor(count / 3);

// Distinct traces in every body, encoded before anything is measured: the sender's work is not ours.
const bodies: Buffer[] = [];
for (let seed = 1; bodies.length * 100 < count; seed++) {
  for (const b of envoyBatches(10_000, 100, seed)) if (b.length === 100) bodies.push(Buffer.from(format === 'zipkin-json' ? zipkinJson(b) : otlpProto(b)));
}
bodies.length = Math.ceil(count / 100);

/** One run of a stage over every body, on a fresh pipeline; returns its spans and CPU seconds. */
function run(stage: Stage): { spans: number; cpuSeconds: number } {
  const ctx = new DecodeContext();
  const decode = format === 'otlp-proto' ? (body: Buffer): DecodedBatch => decodeOtlpProto(body, ctx, 'otlp-grpc')
    : (body: Buffer): DecodedBatch => scanZipkinJson(body, ctx) ?? decodeZipkinJson(JSON.parse(body.toString('utf8')), ctx);
  let nowMs = 0;
  const store = new MemoryTraceStore({ retentionMs: 3_600_000, maxSpans: STORED_SPANS });
  const auditor = stage === 'audit' ? new PropagationAuditor({ clockUs: () => Date.now() * 1000 }) : undefined;
  const assembler = new TraceAssembler({
    settleMs: SETTLE_MS, maxBufferedSpans: Number.MAX_SAFE_INTEGER, maxTraceAgeMs: 60_000, store, now: () => nowMs,
    ...(auditor === undefined ? {} : { onSettled: (t) => auditor.observe(t.spans) }),
  });
  gc!();
  const start = process.cpuUsage();
  let spans = 0;
  let lastSettle = 0;
  for (const body of bodies) {
    const batch = decode(body);
    spans += batch.spans.length;
    if (stage === 'decode') continue;
    assembler.accept(batch.spans);
    nowMs += (batch.spans.length * 1000) / SIMULATED_SPANS_PER_SECOND;
    // The server settles on a 100 ms timer.
    if (nowMs - lastSettle >= 100) {
      assembler.settleDue();
      lastSettle = nowMs;
    }
  }
  assembler.settleAll();
  const used = process.cpuUsage(start);
  if (auditor !== undefined && auditor.tracesObserved === 0) throw new Error('stages: the audit observed no trace');
  return { spans, cpuSeconds: (used.user + used.system) / 1e6 };
}

const totals = Object.fromEntries(STAGES.map((s) => [s, { spans: 0, cpuSeconds: 0 }])) as Record<Stage, { spans: number; cpuSeconds: number }>;
run('audit'); // warm-up: compiles the whole pipeline before anything is counted
for (let r = 0; r < rounds; r++) {
  for (const stage of STAGES) {
    const { spans, cpuSeconds } = run(stage);
    totals[stage].spans += spans;
    totals[stage].cpuSeconds += cpuSeconds;
  }
}
process.stdout.write(JSON.stringify(totals) + '\n');
