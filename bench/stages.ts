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
import { PropagationAuditor } from '../src/propagation-audit/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import { envoyBodies, serverDecoder, wireFormatArg } from './server-decoder.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const format = wireFormatArg(process.argv[2], 'stages.js <zipkin-json|otlp-proto> <spans> <rounds>');
const count = Number(process.argv[3] ?? 300_000);
const rounds = Number(process.argv[4] ?? 3);

const STAGES = ['decode', 'assemble', 'audit'] as const;
type Stage = (typeof STAGES)[number];

/** Spans in a batch advance the simulated clock as if they arrived at this rate. */
const SIMULATED_SPANS_PER_SECOND = 70_000;
const SETTLE_MS = 1000;
const SETTLE_TICK_MS = 250;
/** A third of a run: the store evicts for most of it, as the server's does in the end-to-end phases. */
const STORED_SPANS = Math.floor(count / 3);

// Encoded before anything is measured: the sender's work is not ours.
const bodies = envoyBodies(format, count);

/** One run of a stage over every body, on a fresh pipeline; returns its spans and CPU seconds. */
function run(stage: Stage): { spans: number; cpuSeconds: number } {
  const decode = serverDecoder(format, new DecodeContext());
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
    // The server settles on a 250 ms timer.
    if (nowMs - lastSettle >= SETTLE_TICK_MS) {
      assembler.settleDue();
      lastSettle = nowMs;
    }
  }
  assembler.settleAll();
  const used = process.cpuUsage(start);
  if (auditor !== undefined && auditor.tracesObserved === 0) throw new Error('stages: the audit observed no trace');
  return { spans, cpuSeconds: (used.user + used.system) / 1e6 };
}

const totals = Object.fromEntries(STAGES.map((s) => [s, { spans: 0, cpuSeconds: 0 }])) as Record<Stage, ReturnType<typeof run>>;
run('audit'); // warm-up: compiles the whole pipeline before anything is counted
for (let r = 0; r < rounds; r++) {
  for (const stage of STAGES) {
    const { spans, cpuSeconds } = run(stage);
    totals[stage].spans += spans;
    totals[stage].cpuSeconds += cpuSeconds;
  }
}
process.stdout.write(JSON.stringify(totals) + '\n');
