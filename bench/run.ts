/**
 * `npm run bench`: drives a real meshtrace over loopback with Envoy-like batches (100 spans, the
 * full Istio sidecar tag set, 128-bit trace ids, CLIENT/SERVER pairs) in every ingest format and
 * reports spans per CPU-second of the server process against baselines measured in the same run.
 * `npm run bench -- --json` prints one JSON object; `--quick` shortens every phase (and runs one
 * round of the ingest comparisons instead of five).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditBench } from './audit.js';
import type { AuditSummary } from './audit.js';
import { envoyBatches } from './envoy-spans.js';
import type { ZipkinJsonSpan } from './envoy-spans.js';
import { otlpJson, otlpProto, zipkinJson, zipkinProto } from './encode.js';
import { cpuSecondsOf, driveGrpc, driveHttp } from './load.js';
import { roundRobin, stampable } from './stamp.js';
import type { BodyTimes, StampableBody } from './stamp.js';
import type { DriveResult } from './load.js';
import { auditFreshness } from './freshness.js';
import { xdsBench } from './xds.js';
import { dashboardBench } from './dashboard.js';
import { controllerBench } from './controller.js';
import type { FreshnessSummary } from './freshness.js';
import { startMeshtrace } from './server.js';
import { pinDriver, pinServer, pinningAvailable } from './affinity.js';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const quick = args.includes('--quick');
/** `--only <section>` runs one section (ingest, audit, xds, dashboard, controller). */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const PHASE_MS = quick ? 1500 : 5000;
const CONCURRENCY = 8;
const here = dirname(fileURLToPath(import.meta.url));
const log = (msg: string): void => { if (!asJson) process.stderr.write(msg + '\n'); };

/** Writes bodies for `decode-baseline.js`: each after its uint32 big-endian length. */
function writeBodies(file: string, bodies: readonly Buffer[]): void {
  const parts: Buffer[] = [];
  for (const b of bodies) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    parts.push(length, b);
  }
  writeFileSync(file, Buffer.concat(parts));
}

/** Spans handled and the CPU they took: figures over several rounds are totals of these. */
interface Sample { spans: number; cpuSeconds: number }

/** Spans and CPU of a fresh process decoding the bodies in a loop (bench/decode-baseline.ts). */
async function decodeSample(mode: 'json' | 'otlp' | 'zipkin', file: string): Promise<Sample> {
  const child = spawn(process.execPath, [join(here, 'decode-baseline.js'), mode, file, String(PHASE_MS / 2)], { stdio: ['ignore', 'pipe', 'inherit'] });
  pinServer(child.pid!);
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const [code] = await once(child, 'exit') as [number | null];
  if (code !== 0) throw new Error(`decode baseline ${mode} exited with ${code}`);
  const [spans, cpuSeconds] = out.trim().split(' ').map(Number);
  return { spans: spans!, cpuSeconds: cpuSeconds! };
}

interface IngestResult {
  readonly spansPerBatch: number;
  readonly rounds: number;
  readonly baselineSpansPerCpuSecond: {
    jsonParse: number; protobufDecodeOtlp: number; protobufDecodeZipkin: number; grpcServer: number;
    /** Context, not a target's baseline: a bare `http` server that only parses the JSON bodies. */
    httpServerJsonParse: number;
  };
  readonly meshtraceSpansPerCpuSecond: Record<string, number>;
  readonly ratios: {
    zipkinJsonVsJsonParse: number; otlpHttpProtoVsProtobufDecode: number; otlpGrpcVsBareGrpcServer: number; zipkinProtoVsProtobufDecode: number;
    /** How much of JSON.parse's rate a server that does nothing else keeps: the ceiling HTTP leaves. */
    bareHttpJsonVsJsonParse: number;
    /** The whole server, audit included: context, not a target. */
    zipkinJsonWithAuditVsJsonParse: number;
  };
  /** CPU per span the audit adds to the ingest pipeline on a real server (Zipkin JSON, over loopback). */
  readonly auditCpuAdded: number;
  /** Each round's spans per CPU-second, meshtrace phases and baselines, in round order. */
  readonly roundRates: Record<string, number[]>;
  /** Each round's own ratio, in round order. */
  readonly roundRatios: Record<keyof IngestResult['ratios'], number[]>;
  readonly targets: Record<string, number>;
  /** Per format, through the decoders the server uses for it. */
  readonly memory: Record<MemoryFormat, MemoryFigures>;
  /** The same batches in one process without sockets: decode, + assembly and store, + audit. */
  readonly stages: Record<MemoryFormat, StageFigures>;
  readonly failures: Record<string, Record<string, number>>;
}

interface ServerPhase extends Sample { spansPerCpuSecond: number; drive: DriveResult }

/**
 * Runs one load phase against a child process and measures its CPU and accepted spans. With
 * `quiesce`, CPU is read once the child has also done the deferred work for the phase's spans
 * (settling, the audit), so each phase pays for its own spans and none of the next phase's.
 */
async function measureChild(pid: number, spansNow: () => Promise<number>, drive: () => Promise<DriveResult>, quiesce?: () => Promise<void>): Promise<ServerPhase> {
  const spans0 = await spansNow();
  const cpu0 = cpuSecondsOf(pid);
  const result = await drive();
  const spans = (await spansNow()) - spans0;
  await quiesce?.();
  const cpuSeconds = cpuSecondsOf(pid) - cpu0;
  return { spansPerCpuSecond: spans / cpuSeconds, spans, cpuSeconds, drive: result };
}

/** A server child the bench measures in rounds, and how to stop it. */
interface MeasuredServer<Phase> {
  measure(phase: Phase): Promise<ServerPhase>;
  stop(): Promise<void>;
}

/** A baseline server in its own process (it prints its port), driven with 100-span requests. */
async function startBaselineServer(script: string, drive: (port: number, durationMs: number) => Promise<DriveResult>): Promise<MeasuredServer<void>> {
  const child = spawn(process.execPath, [join(here, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data') as [Buffer];
  const port = Number(chunk.toString().trim());
  pinServer(child.pid!);
  let requests = 0;
  await drive(port, 500); // warm up
  return {
    measure: () => measureChild(child.pid!, () => Promise.resolve(requests * 100), async () => {
      const r = await drive(port, PHASE_MS);
      requests += r.requests - r.failures;
      return r;
    }),
    stop: async () => {
      child.kill();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** The gRPC baseline: a bare grpc-js server that only decodes. */
function startGrpcBaseline(bodies: StampableBody[]): Promise<MeasuredServer<void>> {
  const next = roundRobin(bodies);
  return startBaselineServer('grpc-baseline.js', (port, durationMs) => driveGrpc(port, next, { concurrency: CONCURRENCY, durationMs }));
}

/** Context for Zipkin JSON: a bare `http` server that only parses the bodies. */
function startHttpJsonBaseline(bodies: Buffer[]): Promise<MeasuredServer<void>> {
  let i = 0;
  const next = (): Buffer => bodies[i++ % bodies.length]!;
  return startBaselineServer('http-baseline.js', (port, durationMs) =>
    driveHttp(`http://127.0.0.1:${port}/api/v2/spans`, { 'content-type': 'application/json' }, next, { concurrency: CONCURRENCY, durationMs }));
}

/**
 * The formats, on the ingest pipeline the targets are about (receive, decode, normalize,
 * assemble, store: a meshtrace with `--audit false`), and Zipkin JSON again on a whole meshtrace,
 * audit included (`zipkinJsonAudited`): the audit's own budget is what it adds to the pipeline.
 */
type IngestPhase = 'zipkinJson' | 'zipkinJsonAudited' | 'zipkinProto' | 'otlpHttpProto' | 'otlpHttpJson' | 'otlpGrpc';
type FormatPhase = Exclude<IngestPhase, 'zipkinJsonAudited'>;

/** Settled spans the bench's meshtrace keeps: small enough that the warm-up fills the store. */
const STORED_SPANS = 300_000;

/** The parts of meshtrace's `/api/status` the bench reads. */
interface ServerStatus {
  ingest: Record<string, { spansAccepted: number }>;
  buffer: { bufferedSpans: number };
  store: { evictedSpans: { capacity: number } };
}

/**
 * One meshtrace for every round; each phase drives one format and is charged until its spans
 * settled. `formats` are the ones it is warmed up with (and measured in).
 */
async function startIngestMeshtrace(data: Record<string, StampableBody[]>, audit: boolean, formats: readonly FormatPhase[]): Promise<MeasuredServer<FormatPhase>> {
  const server = await startMeshtrace(['--settle-period', '1s', '--max-buffered-spans', '5000000', '--max-stored-spans', String(STORED_SPANS), '--audit', String(audit)]);
  const { child, ports } = server;
  pinServer(child.pid!);
  const status = async (): Promise<ServerStatus> => await (await fetch(`http://127.0.0.1:${ports.http}/api/status`)).json() as ServerStatus;
  const accepted = async (): Promise<number> => Object.values((await status()).ingest).reduce((n, c) => n + c.spansAccepted, 0);
  // Until every buffered span has settled, then one more audit tick (the server prunes and
  // resolves once a second).
  const settled = async (): Promise<void> => {
    while ((await status()).buffer.bufferedSpans > 0) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1100));
  };
  // One sender per format for the whole run, so later rounds keep stamping fresh trace ids.
  const http = (path: string, port: number, headers: Record<string, string>, bodies: StampableBody[]) => {
    const next = roundRobin(bodies);
    return async (durationMs: number): Promise<DriveResult> => driveHttp(`http://127.0.0.1:${port}${path}`, headers, next, { concurrency: CONCURRENCY, durationMs });
  };
  const nextGrpc = roundRobin(data['otlpProto']!);
  const phases: Record<FormatPhase, (durationMs: number) => Promise<DriveResult>> = {
    zipkinJson: http('/api/v2/spans', ports.zipkin, { 'content-type': 'application/json' }, data['zipkinJson']!),
    zipkinProto: http('/api/v2/spans', ports.zipkin, { 'content-type': 'application/x-protobuf' }, data['zipkinProto']!),
    otlpHttpProto: http('/v1/traces', ports.otlpHttp, { 'content-type': 'application/x-protobuf' }, data['otlpProto']!),
    otlpHttpJson: http('/v1/traces', ports.otlpHttp, { 'content-type': 'application/json' }, data['otlpJson']!),
    otlpGrpc: (durationMs) => driveGrpc(ports.grpc, nextGrpc, { concurrency: CONCURRENCY, durationMs }),
  };
  // Warmed up like the baseline servers, and then some: a second of every format, repeated until
  // the store is full, so the first phase measured is not charged for compiling the code all
  // phases share or for growing the heap, and every phase runs with evictions under way, as a
  // long-running collector does.
  for (let pass = 0; pass < 10; pass++) {
    for (const format of formats) await phases[format](5000 / formats.length);
    await settled();
    if ((await status()).store.evictedSpans.capacity > 0) break;
  }
  return {
    measure: async (phase) => {
      // A server that serves one format sits idle while the other formats run; V8 shrinks an idle
      // heap, and its first seconds back pay for growing it again. An unmeasured lead-in of the
      // same load measures it ingesting continuously, as a mesh keeps it, like the server that
      // serves every format in turn.
      if (formats.length === 1) {
        await phases[phase](PHASE_MS);
        await settled();
      }
      return measureChild(child.pid!, accepted, () => phases[phase](PHASE_MS), settled);
    },
    stop: () => server.stop(),
  };
}

type MemoryFormat = 'zipkinJson' | 'otlpProto';
interface MemoryFigures { spans: number; heapBytesPerSpan: number; rssBytesPerSpan: number }
const MEMORY_FORMAT_ARG: Record<MemoryFormat, string> = { zipkinJson: 'zipkin-json', otlpProto: 'otlp-proto' };

/** Runs a bench script that prints one JSON line, in its own process with --expose-gc. */
async function childJson<T>(script: string, args: readonly string[]): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const [code] = await once(child, 'exit') as [number | null];
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out) as T;
}

async function memoryPerSpan(format: MemoryFormat): Promise<MemoryFigures> {
  return childJson<MemoryFigures>('memory.js', [MEMORY_FORMAT_ARG[format], quick ? '100000' : '300000']);
}

/** Spans per CPU-second of each pipeline stage, cumulative (`assemble` includes `decode`). */
interface StageFigures { decode: number; assemble: number; audit: number }

async function stageRates(format: MemoryFormat): Promise<StageFigures> {
  const totals = await childJson<Record<keyof StageFigures, Sample>>('stages.js', [MEMORY_FORMAT_ARG[format], quick ? '100000' : '300000', String(ROUNDS)]);
  return { decode: rateOf([totals.decode]), assemble: rateOf([totals.assemble]), audit: rateOf([totals.audit]) };
}

function printAudit(a: AuditSummary, fresh: FreshnessSummary | undefined): void {
  const pct = (n: number): string => `${(n * 100).toFixed(1)}%`;
  console.log(`\naudit (${a.cases} simulated cases scored against ground truth)`);
  console.log(`  verdict precision                    ${a.precision.toFixed(3)}  (>= 0.99)`);
  console.log(`  verdict recall                       ${a.recall.toFixed(3)}  (>= 0.95)`);
  console.log(`  false gaps (healthy, gateways, originators)  ${a.falseGaps}  (0)`);
  console.log(`  wrong verdicts below evidence threshold      ${a.wrongBelowThreshold}  (0)`);
  console.log(`  grafts correct, x-request-id forwarded       ${pct(a.graftAccuracy.withRequestId)} of ${a.graftAccuracy.madeWithRequestId}  (>= 99%)`);
  console.log(`  grafts correct, no request id, concurrency <= 20  ${pct(a.graftAccuracy.withoutRequestIdLowConcurrency)} of ${a.graftAccuracy.madeWithout}  (>= 90%)`);
  console.log(`  audit CPU added to the ingest pipeline       ${pct(a.auditCpuOverhead)}  (<= 20%)`);
  console.log('  confidence calibration (time-window grafts):  bucket  grafts  mean confidence  accuracy');
  for (const c of a.calibration) console.log(`    ${c.bucket}  ${String(c.grafts).padStart(7)}  ${c.meanConfidence.toFixed(3).padStart(15)}  ${pct(c.accuracy).padStart(8)}`);
  console.log(`  expected calibration error                   ${a.calibrationError.toFixed(3)}  (0 is perfect)`);
  if (fresh !== undefined) {
    console.log(`  gap visible in the report after its spans arrived  median ${fresh.medianMs} ms, max ${fresh.maxMs} ms of ${fresh.trials}  (<= ${fresh.budgetMs} ms: settle ${fresh.settleMs} ms + 2 s)`);
  }
  for (const f of a.failures.slice(0, 20)) console.log(`  miss: ${f}`);
  if (a.failures.length > 20) console.log(`  ... and ${a.failures.length - 20} more cases with misses`);
}

/** One bench section: runs, returns its figures (for --json) and prints them (for people). */
interface Section { readonly result: unknown; print(): void }

async function auditSection(): Promise<Section> {
  const audit = auditBench(quick, log);
  const freshness = await auditFreshness(quick ? 3 : 5, log);
  return { result: { ...audit, freshness }, print: () => printAudit(audit, freshness) };
}

async function xdsSection(): Promise<Section> {
  const x = await xdsBench(log);
  return {
    result: x,
    print: () => {
      console.log('\nxds');
      console.log(`  decode a ${(x.dumpBytes / 1e6).toFixed(1)} MB Istio config dump  ${Math.round(x.decodeMs)} ms  (< 2000 ms), peak RSS ${Math.round(x.peakRssBytes / 2 ** 20)} MiB  (< 300 MB)`);
      console.log(`  ADS push of a sampling change → effective in the API  ${Math.round(x.pushToEffectiveMs)} ms  (<= 5000 ms)`);
    },
  };
}

async function dashboardSection(): Promise<Section> {
  const d = await dashboardBench(log, quick ? { loadSeconds: 20 } : {});
  return {
    result: d,
    print: () => {
      console.log('\ndashboard');
      console.log(`  spans retained                       ${d.spansRetained.toLocaleString('en-US')}  (one hour at 2,000 spans/s = 7,200,000)`);
      console.log(`  overview API p95 (uncached, 1h window)  ${Math.round(d.overviewApiP95Ms)} ms  (< 150 ms)`);
      console.log(`  overview page interactive            ${Math.round(d.overviewInteractiveMs)} ms  (< 1500 ms)`);
      console.log(`  JavaScript bundle, gzipped           ${(d.bundleGzipBytes / 1024).toFixed(1)} KiB  (<= 300 KB)`);
    },
  };
}

async function controllerSection(): Promise<Section> {
  const c = await controllerBench(log);
  return {
    result: c,
    print: () => {
      console.log('\ncontroller');
      if ('skipped' in c) {
        console.log(`  skipped: ${c.skipped}`);
        return;
      }
      console.log(`  ${c.policies} policies, ${c.telemetries} Telemetries on a real API server`);
      console.log(`  controller resident memory            ${Math.round(c.rssBytes / 2 ** 20)} MiB  (<= 100 MB)`);
      console.log(`  reconcile p95, first pass while seeding  ${Math.round(c.reconcileP95Ms)} ms  (< 200 ms)`);
      console.log(`  reconcile p95, single edits once settled ${Math.round(c.steadyReconcileP95Ms)} ms  (< 200 ms)`);
      console.log(`  policy edit → Telemetry updated, p95     ${Math.round(c.applyToTelemetryP95Ms)} ms  (<= 2000 ms)`);
    },
  };
}

const SECTIONS: Record<string, () => Promise<Section>> = {
  ingest: ingestSection,
  audit: auditSection,
  xds: xdsSection,
  dashboard: dashboardSection,
  controller: controllerSection,
};

async function main(): Promise<void> {
  if (only !== undefined && SECTIONS[only] === undefined) throw new Error(`--only takes one of ${Object.keys(SECTIONS).join(', ')}`);
  const results: Record<string, unknown> = {};
  const sections: Section[] = [];
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only !== undefined && only !== name) continue;
    log(`${name} ...`);
    const section = await run();
    results[name] = section.result;
    sections.push(section);
  }
  if (asJson) process.stdout.write(JSON.stringify(results) + '\n');
  else for (const section of sections) section.print();
}

/** Bodies of one ingest format: as generated (for the in-process baselines) and stampable (for the servers). */
interface FormatData {
  readonly raw: Buffer[];
  readonly stampable: StampableBody[];
}

/**
 * Envoy-like batches in one format. Each format gets its own generated traffic (its own seed):
 * stamping only makes re-sends of the same bodies unique, so formats sharing batches would send
 * each other's traces again, and later phases would measure merging late duplicates into stored
 * traces instead of ingesting new ones.
 */
function formatData(seed: number, encode: (batch: ZipkinJsonSpan[]) => Buffer, text: boolean, nanos: boolean): FormatData {
  // Full 100-span batches only, so every request carries exactly 100 spans.
  const batches = envoyBatches(30_000, 100, seed).filter((b) => b.length === 100);
  // Each resend moves the data forward by the time it covers, so the server sees continuing traffic.
  const spans = batches.flat();
  const firstUs = Math.min(...spans.map((s) => s.timestamp));
  const periodUs = BigInt(Math.max(...spans.map((s) => s.timestamp + s.duration)) - firstUs + 1000);
  const timesOf = (b: ZipkinJsonSpan[]): BodyTimes => (nanos
    ? { values: b.flatMap((s) => [BigInt(s.timestamp) * 1000n, BigInt(s.timestamp + s.duration) * 1000n]), shift: periodUs * 1000n }
    : { values: b.map((s) => BigInt(s.timestamp)), shift: periodUs });
  const raw = batches.map(encode);
  // Baselines decode the bytes as generated; the servers get fresh trace ids on every resend.
  return { raw, stampable: raw.map((b, i) => stampable(Buffer.from(b), batches[i]!.map((s) => s.traceId), text, timesOf(batches[i]!))) };
}

async function ingestSection(): Promise<Section> {
  log('generating Envoy-like batches (100 spans each) ...');
  const formats = {
    zipkinJson: formatData(7, (b) => zipkinJson(b), true, false),
    zipkinProto: formatData(8, (b) => zipkinProto(b, true), false, false),
    // OTLP/HTTP protobuf and OTLP/gRPC send the same bodies; their rounds continue, so ids stay fresh.
    otlpProto: formatData(9, (b) => otlpProto(b), false, true),
    otlpJson: formatData(10, (b) => otlpJson(b), true, true),
  };
  const raw = { zipkinJson: formats.zipkinJson.raw, zipkinProto: formats.zipkinProto.raw, otlpProto: formats.otlpProto.raw };
  const data = {
    zipkinJson: formats.zipkinJson.stampable, zipkinProto: formats.zipkinProto.stampable,
    otlpProto: formats.otlpProto.stampable, otlpJson: formats.otlpJson.stampable,
  };
  pinDriver();
  if (pinningAvailable) log('servers pinned to core 0, drivers to the others (MESHTRACE_BENCH_PIN=1)');
  const wanted = process.env['MESHTRACE_BENCH_PHASES']?.split(',');
  const phases = INGEST_PHASES.filter((p) => wanted === undefined || wanted.includes(p));
  const dir = mkdtempSync(join(tmpdir(), 'meshtrace-bench-'));
  const files = { zipkinJson: join(dir, 'zipkin.json.bin'), otlpProto: join(dir, 'otlp.proto.bin'), zipkinProto: join(dir, 'zipkin.proto.bin') };
  writeBodies(files.zipkinJson, raw.zipkinJson);
  writeBodies(files.otlpProto, raw.otlpProto);
  writeBodies(files.zipkinProto, raw.zipkinProto);
  const grpcBaseline = await startGrpcBaseline(data.otlpProto);
  const httpJsonBaseline = await startHttpJsonBaseline(raw.zipkinJson);
  // The pipeline the ratios are about, and the whole server for Zipkin JSON.
  const meshtrace = await startIngestMeshtrace(data, false, SERVER_PHASES);
  const audited = phases.includes('zipkinJsonAudited') ? await startIngestMeshtrace(data, true, ['zipkinJson']) : undefined;
  const rounds: IngestRound[] = [];
  try {
    const measureBaseline: Record<BaselineKey, () => Promise<Sample>> = {
      jsonParse: () => decodeSample('json', files.zipkinJson),
      protobufDecodeOtlp: () => decodeSample('otlp', files.otlpProto),
      protobufDecodeZipkin: () => decodeSample('zipkin', files.zipkinProto),
      grpcServer: () => grpcBaseline.measure(),
      httpServerJsonParse: () => httpJsonBaseline.measure(),
    };
    for (let r = 0; r < ROUNDS; r++) {
      const baseline: Partial<Record<BaselineKey, Sample>> = {};
      const measureBaselines = async (keys: readonly BaselineKey[]): Promise<void> => {
        for (const key of keys) {
          if (baseline[key] !== undefined) continue;
          log(`round ${r + 1} of ${ROUNDS}: baseline ${key} ...`);
          baseline[key] = await measureBaseline[key]();
        }
      };
      const runs: Partial<Record<IngestPhase, ServerPhase>> = {};
      for (const [i, phase] of phases.entries()) {
        await measureBaselines(BASELINES_OF[phase]);
        log(`round ${r + 1} of ${ROUNDS}: meshtrace ${phase} ...`);
        runs[phase] = phase === 'zipkinJsonAudited' ? await audited!.measure('zipkinJson') : await meshtrace.measure(phase);
        // A decode baseline's second half, once no later phase of the round is compared with it.
        const lastUses = BASELINES_OF[phase].filter((key) => SANDWICHED.includes(key) && !phases.slice(i + 1).some((p) => BASELINES_OF[p].includes(key)));
        for (const key of lastUses) {
          log(`round ${r + 1} of ${ROUNDS}: baseline ${key}, second half ...`);
          baseline[key] = sumOf(baseline[key]!, await measureBaseline[key]());
        }
      }
      await measureBaselines(Object.keys(measureBaseline) as BaselineKey[]);
      rounds.push({ baseline: baseline as Record<BaselineKey, Sample>, runs });
    }
  } finally {
    await grpcBaseline.stop();
    await httpJsonBaseline.stop();
    rmSync(dir, { recursive: true, force: true });
    await meshtrace.stop();
    await audited?.stop();
  }
  const memory = { zipkinJson: await memoryPerSpan('zipkinJson'), otlpProto: await memoryPerSpan('otlpProto') };
  const stages = { zipkinJson: await stageRates('zipkinJson'), otlpProto: await stageRates('otlpProto') };
  const result = summarizeIngest(rounds, phases, memory, stages);
  return { result, print: () => printIngest(result) };
}

const SERVER_PHASES: readonly FormatPhase[] = ['zipkinJson', 'zipkinProto', 'otlpHttpProto', 'otlpHttpJson', 'otlpGrpc'];
/** The whole server's phase right after the pipeline's Zipkin JSON phase, so the two are measured seconds apart. */
const INGEST_PHASES: readonly IngestPhase[] = ['zipkinJson', 'zipkinJsonAudited', 'zipkinProto', 'otlpHttpProto', 'otlpHttpJson', 'otlpGrpc'];

type BaselineKey = keyof IngestResult['baselineSpansPerCpuSecond'];

/**
 * The baselines measured right before each meshtrace phase, so a ratio compares figures taken
 * seconds apart: this machine's speed drifts by ±20% between minutes, and a round of every
 * baseline followed by every phase put half a minute between a baseline and its phase.
 */
const BASELINES_OF: Record<IngestPhase, readonly BaselineKey[]> = {
  zipkinJson: ['httpServerJsonParse', 'jsonParse'],
  zipkinJsonAudited: ['jsonParse'],
  zipkinProto: ['protobufDecodeZipkin'],
  otlpHttpProto: ['protobufDecodeOtlp'],
  otlpHttpJson: [],
  otlpGrpc: ['grpcServer'],
};
/**
 * The decode baselines (a fresh process each, a few seconds long) are measured in two halves,
 * one before the phases compared with them and one after, so a drift of the machine's speed
 * during a phase moves both sides of its ratio alike.
 */
const SANDWICHED: readonly BaselineKey[] = ['jsonParse', 'protobufDecodeOtlp', 'protobufDecodeZipkin'];

function sumOf(a: Sample, b: Sample): Sample {
  return { spans: a.spans + b.spans, cpuSeconds: a.cpuSeconds + b.cpuSeconds };
}

/** Rounds of baselines and meshtrace phases, alternating: figures are their totals (`--rounds N`). */
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : quick ? 1 : 5;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds takes a whole number of rounds, 1 or more');

interface IngestRound {
  readonly baseline: Record<BaselineKey, Sample>;
  readonly runs: Partial<Record<IngestPhase, ServerPhase>>;
}

/** Per-status request counts of several rounds, added up. */
function sumCounts(counts: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [k, n] of Object.entries(c)) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** Spans over CPU of the samples together; NaN when there are none. */
function rateOf(samples: readonly (Sample | undefined)[]): number {
  let spans = 0;
  let cpuSeconds = 0;
  for (const s of samples) {
    if (s === undefined) continue;
    spans += s.spans;
    cpuSeconds += s.cpuSeconds;
  }
  return cpuSeconds > 0 ? spans / cpuSeconds : Number.NaN;
}

/** Which meshtrace phase is compared with which baseline. */
type Measured = IngestPhase | BaselineKey;
const RATIOS: Record<keyof IngestResult['ratios'], [Measured, BaselineKey]> = {
  zipkinJsonVsJsonParse: ['zipkinJson', 'jsonParse'],
  otlpHttpProtoVsProtobufDecode: ['otlpHttpProto', 'protobufDecodeOtlp'],
  otlpGrpcVsBareGrpcServer: ['otlpGrpc', 'grpcServer'],
  zipkinProtoVsProtobufDecode: ['zipkinProto', 'protobufDecodeZipkin'],
  bareHttpJsonVsJsonParse: ['httpServerJsonParse', 'jsonParse'],
  zipkinJsonWithAuditVsJsonParse: ['zipkinJsonAudited', 'jsonParse'],
};

/**
 * Figures over all rounds: each is its spans over its CPU summed across the rounds, baselines and
 * meshtrace alike, and a ratio is of those totals. Not a median of per-round figures: a major GC
 * of the retained store costs close to a second of CPU and lands in some rounds and not others,
 * and a median picks the rounds without one. Each round's own figures are kept beside, to show
 * the spread.
 */
function summarizeIngest(rounds: readonly IngestRound[], phases: readonly IngestPhase[], memory: IngestResult['memory'], stages: IngestResult['stages']): IngestResult {
  const sample = (round: IngestRound, m: Measured): Sample | undefined =>
    m in round.baseline ? round.baseline[m as BaselineKey] : round.runs[m as IngestPhase];
  const rate = (round: IngestRound, m: Measured): number => rateOf([sample(round, m)]);
  const total = (m: Measured): number => rateOf(rounds.map((r) => sample(r, m)));
  const baselineKeys = Object.keys(rounds[0]!.baseline) as BaselineKey[];
  return {
    spansPerBatch: 100,
    rounds: rounds.length,
    baselineSpansPerCpuSecond: Object.fromEntries(baselineKeys.map((k) => [k, Math.round(total(k))])) as IngestResult['baselineSpansPerCpuSecond'],
    meshtraceSpansPerCpuSecond: Object.fromEntries(phases.map((p) => [p, Math.round(total(p))])),
    roundRates: Object.fromEntries([...phases, ...baselineKeys].map((m) => [m, rounds.map((r) => Math.round(rate(r, m)))])),
    ratios: Object.fromEntries(Object.entries(RATIOS).map(([k, [phase, base]]) => [k, total(phase) / total(base)])) as IngestResult['ratios'],
    roundRatios: Object.fromEntries(Object.entries(RATIOS).map(([k, [phase, base]]) =>
      [k, rounds.map((r) => rate(r, phase) / rate(r, base))])) as Record<keyof IngestResult['ratios'], number[]>,
    auditCpuAdded: total('zipkinJson') / total('zipkinJsonAudited') - 1,
    targets: { zipkinJsonVsJsonParse: 0.3, otlpHttpProtoVsProtobufDecode: 0.3, otlpGrpcVsBareGrpcServer: 0.8, bytesPerBufferedSpan: 600 },
    memory,
    stages: Object.fromEntries(Object.entries(stages).map(([f, st]) => [f, {
      decode: Math.round(st.decode), assemble: Math.round(st.assemble), audit: Math.round(st.audit),
    }])) as IngestResult['stages'],
    failures: Object.fromEntries(phases.map((p) => [p, sumCounts(rounds.map((r) => r.runs[p]?.drive.statuses ?? {}))])),
  };
}

function printIngest(result: IngestResult): void {
  const { baselineSpansPerCpuSecond: baseline, memory } = result;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const pct = (n: number): string => `${(n * 100).toFixed(1)}%`;
  const rounds = (k: string): string => (result.rounds > 1 ? `   rounds ${result.roundRates[k]!.map(fmt).join(', ')}` : '');
  const ratio = (k: keyof IngestResult['ratios'], label: string, target: string): void => {
    const each = result.rounds > 1 ? `  rounds ${result.roundRatios[k].map(pct).join(', ')}` : '';
    console.log(`  ${label.padEnd(36)} ${pct(result.ratios[k]).padStart(6)}  ${target}${each}`);
  };
  console.log(`\ningest (spans per CPU-second of the receiving process, each phase counted until its spans settled; totals over ${result.rounds} alternating rounds)`);
  console.log('  meshtrace phases run the ingest pipeline (receive, decode, normalize, assemble, store: --audit false); zipkinJsonAudited is the whole server');
  console.log(`  baseline JSON.parse                  ${fmt(baseline.jsonParse)}${rounds('jsonParse')}`);
  console.log(`  baseline protobufjs decode (OTLP)    ${fmt(baseline.protobufDecodeOtlp)}${rounds('protobufDecodeOtlp')}`);
  console.log(`  baseline protobufjs decode (Zipkin)  ${fmt(baseline.protobufDecodeZipkin)}${rounds('protobufDecodeZipkin')}`);
  console.log(`  baseline bare grpc-js server         ${fmt(baseline.grpcServer)}${rounds('grpcServer')}`);
  console.log(`  context: bare http + JSON.parse      ${fmt(baseline.httpServerJsonParse)}${rounds('httpServerJsonParse')}`);
  for (const [k, v] of Object.entries(result.meshtraceSpansPerCpuSecond)) {
    console.log(`  meshtrace ${k.padEnd(27)}${fmt(v)}${rounds(k)}`);
  }
  console.log('ratios (of the totals; each round\'s own ratio beside)');
  ratio('zipkinJsonVsJsonParse', 'Zipkin JSON / JSON.parse', '(>= 30%)');
  ratio('otlpHttpProtoVsProtobufDecode', 'OTLP/HTTP proto / protobufjs decode', '(>= 30%)');
  ratio('otlpGrpcVsBareGrpcServer', 'OTLP/gRPC / bare grpc-js server', '(>= 80%)');
  ratio('zipkinProtoVsProtobufDecode', 'Zipkin proto / protobufjs decode', '');
  ratio('bareHttpJsonVsJsonParse', 'context: bare http + JSON.parse / JSON.parse', '');
  ratio('zipkinJsonWithAuditVsJsonParse', 'context: whole server, audit included', '');
  console.log(`  context: audit CPU added to the pipeline on a real server  ${pct(result.auditCpuAdded)}  (the audit section has the budgeted figure)`);
  console.log('memory');
  for (const [format, m] of Object.entries(memory)) {
    console.log(`  ${format.padEnd(10)} heap bytes per buffered span  ${m.heapBytesPerSpan}  (<= 600); RSS ${m.rssBytesPerSpan}`);
  }
  console.log(`pipeline stages, in one process without sockets (spans per CPU-second, totals over ${result.rounds} rounds; each stage includes the ones before)`);
  for (const [format, st] of Object.entries(result.stages)) {
    console.log(`  ${format.padEnd(10)} decode ${fmt(st.decode)}   + assembly and store ${fmt(st.assemble)}   + audit ${fmt(st.audit)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
