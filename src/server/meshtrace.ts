/**
 * The composition root of `meshtrace serve`: one span pipeline (decoders → assembler → store)
 * behind four listeners. Everything here is wiring; the logic lives in the modules it wires.
 */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config/index.js';
import { DecodeContext, IngestStats, Redactor, rawIngestServerFactory } from '../ingest/index.js';
import type { IngestDeps } from '../ingest/index.js';
import { Interner } from '../model/index.js';
import type { SpanSink } from '../model/index.js';
import { otlpTracesRoute, startOtlpGrpcServer } from '../otlp-ingest/index.js';
import { LiveAudit, PropagationAuditor, samplingRateOf } from '../propagation-audit/index.js';
import type { OtlpGrpcServer } from '../otlp-ingest/index.js';
import { BufferedStoreReader, MemoryTraceStore, TraceAssembler } from '../traces/index.js';
import type { StoredTrace } from '../traces/index.js';
import { zipkinSpansRoute } from '../zipkin-ingest/index.js';
import { zipkinReadApi } from '../zipkin-api/index.js';
import { buildMetrics } from '../metrics/index.js';
import { buildApiApp } from './api-app.js';
import { HeaderTally, XdsState, startXdsSources, watchIntendedFiles } from '../xds/index.js';
import type { IntendedWatch, RunningXdsSources } from '../xds/index.js';
import { builtDashboardDir, dashboardRoutes } from './dashboard.js';
import { samplingRoutes } from './sampling-routes.js';
import { searchRoutes } from './search-routes.js';
import { authConfig, protect } from './security.js';
import { propagationRoutes } from './propagation-routes.js';
import { traceRoutes } from './trace-routes.js';

export interface RunningMeshtrace {
  /** Actual ports (differ from the config when it asked for port 0). */
  readonly ports: { zipkin: number; otlpGrpc: number; otlpHttp: number; http: number };
  readonly assembler: TraceAssembler;
  readonly store: MemoryTraceStore;
  readonly stats: IngestStats;
  readonly auditor: PropagationAuditor;
  /** Stops accepting, finishes in-flight requests, settles buffered traces. Idempotent. */
  close(): Promise<void>;
}

/** How often quiet traces are settled, ms: a trace settles at most this long after its quiet period. */
const SETTLE_TICK_MS = 250;
/** Every this many settle ticks, expired traces are evicted and the audit pruned. */
const PRUNE_EVERY_TICKS = 4;
/** Report tallies recomputed per prune tick at most, ms: bounds the event loop stall. */
const WARM_BUDGET_MS = 20;
/** Tallies are warmed while reports were read within this period (dashboards refresh, Prometheus scrapes), µs. */
const WARM_WHILE_READ_US = 5 * 60_000_000;

/** Pins fastify's logger type parameter to the base type, so plugins see one instance type. */
function forFastify(logger: Logger): FastifyBaseLogger {
  return logger;
}

function portOf(app: FastifyInstance): number {
  return (app.server.address() as AddressInfo).port;
}

/** The configured xDS sources (config dumps, istiod, ADS), or none. */
function startXds(state: XdsState, config: ServeConfig, logger: Logger): RunningXdsSources | undefined {
  const x = config.xds;
  if (x.configDumps.length === 0 && x.istiodUrl === undefined && x.adsTarget === undefined) return undefined;
  logger.info({ configDumps: x.configDumps, istiod: x.istiodUrl, ads: x.adsTarget }, 'reading xDS tracing config');
  return startXdsSources(state, {
    configDumps: x.configDumps, refreshMs: x.refreshMs, maxDumpBytes: x.maxDumpBytes,
    ...(x.istiodUrl === undefined ? {} : { istiod: { baseUrl: x.istiodUrl } }),
    ...(x.adsTarget === undefined ? {} : { ads: { target: x.adsTarget, nodes: x.adsProxies.map((id) => ({ id })) } }),
  });
}

/** The Telemetry/SamplingPolicy/mesh config files drift resolves intended sampling from, or none. */
function watchIntended(config: ServeConfig, logger: Logger): IntendedWatch | undefined {
  const x = config.xds;
  if (x.telemetryFiles.length === 0 && x.meshConfigFile === undefined) return undefined;
  return watchIntendedFiles(x.telemetryFiles, x.meshConfigFile, x.refreshMs, logger.child({ component: 'intended-sampling' }));
}

export async function startMeshtrace(config: ServeConfig, logger: Logger): Promise<RunningMeshtrace> {
  const now = (): number => Date.now();
  const nowUs = (): number => Date.now() * 1000;
  const store = new MemoryTraceStore({ retentionMs: config.retentionMs, maxSpans: config.maxStoredSpans });
  const xds = new XdsState();
  const auditor = new PropagationAuditor({
    // Hops whose listeners do not trace at all cannot break propagation.
    excluded: (workload) => xds.tracingFacts(workload).tracingDisabled,
    configuredProvider: (workload) => xds.tracingFacts(workload).provider,
    retentionUs: config.retentionMs * 1000, minRequests: config.auditMinRequests, maxObservations: config.auditMaxObservations, clockUs: nowUs });
  const audit = new LiveAudit(auditor, nowUs);
  if (!config.auditEnabled) logger.info('propagation audit off (--audit false): collecting traces only, no propagation report');
  const assembler = new TraceAssembler({
    settleMs: config.settleMs, maxBufferedSpans: config.maxBufferedSpans, maxTraceAgeMs: config.maxTraceAgeMs, store, now,
    ...(config.auditEnabled ? { onSettled: (trace: StoredTrace) => auditor.observe(trace.spans) } : {}),
  });
  const reader = new BufferedStoreReader(store, assembler);
  // Which trace headers apps send (for drift's provider-mismatch), counted as spans arrive: all
  // but sidecar outbound CLIENT spans cost two compares, and those one pass over their own tags.
  const headerTally = new HeaderTally({ now });
  const sink: SpanSink = {
    admit: () => assembler.admit(),
    accept: (spans) => {
      headerTally.observe(spans);
      assembler.accept(spans);
    },
  };
  const stats = new IngestStats();
  const ctx = new DecodeContext({
    maxTagsPerSpan: config.maxTagsPerSpan, maxTagValueLength: config.maxTagValueLength, maxEventsPerSpan: config.maxEventsPerSpan,
  }, new Interner(), new Redactor(config.redactTagKeys));
  const auth = authConfig(config.authToken, config.authBasic);
  const deps: IngestDeps = { sink, stats, limits: { maxBodyBytes: config.maxBodyBytes, maxSpansPerBatch: config.maxSpansPerBatch } };
  let ready = false;
  const intended = watchIntended(config, logger);

  const zipkinLogger = logger.child({ component: 'zipkin' });
  const zipkinApp = Fastify({
    loggerInstance: forFastify(zipkinLogger),
    serverFactory: rawIngestServerFactory([zipkinSpansRoute({ deps, ctx, logger: zipkinLogger })], config.maxBodyBytes, zipkinLogger),
  });
  // Ingest POSTs never reach fastify (the raw server takes them), so this guards only the read API.
  protect(zipkinApp, { auth });
  await zipkinApp.register(async (scope) => zipkinReadApi(scope, { reader, now }), { logLevel: 'warn' });

  const otlpLogger = logger.child({ component: 'otlp-http' });
  const otlpHttpApp = Fastify({
    loggerInstance: forFastify(otlpLogger),
    serverFactory: rawIngestServerFactory([otlpTracesRoute({ deps, ctx, logger: otlpLogger })], config.maxBodyBytes, otlpLogger),
  });

  const apiApp = await buildApiApp({
    logger: forFastify(logger.child({ component: 'api' })),
    isReady: () => ready,
    status: () => ({
      ingest: stats.toJSON(),
      buffer: assembler.stats(),
      store: store.stats(),
      tagsLimited: ctx.tagsLimited,
      interned: ctx.interner.size,
      audit: {
        enabled: config.auditEnabled,
        tracesObserved: auditor.tracesObserved, workloads: auditor.workloads.size, pods: auditor.pods.size,
        observationsHeld: auditor.observationsHeld, observationsExpired: auditor.observationsExpired,
        observationsEvicted: auditor.observationsEvicted, futureSpansIgnored: auditor.futureSpansIgnored,
      },
      xds: { proxies: xds.proxies().length, workloads: xds.workloads().size, updates: xds.updates, errors: xds.errors },
      headerEvidence: headerTally.stats(),
      memory: process.memoryUsage(),
    }),
    auth,
    metrics: buildMetrics({
      ingest: stats, buffer: () => assembler.stats(), store: () => store.stats(),
      limits: { maxBufferedSpans: config.maxBufferedSpans, maxStoredSpans: config.maxStoredSpans },
      tagsLimited: () => ctx.tagsLimited, tagsRedacted: () => ctx.redactor.redacted,
      auditor, audit, auditEnabled: config.auditEnabled, auditWindowUs: config.auditWindowMs * 1000, maxWorkloads: config.metricsMaxWorkloads,
    }),
    routes: async (app) => {
      // With the audit off there are no grafts: a stitched view is the trace as it is.
      await traceRoutes(app, { reader, ...(config.auditEnabled ? { audit } : {}) });
      await searchRoutes(app, { reader, now });
      await samplingRoutes(app, {
        state: xds,
        ...(intended === undefined ? {} : { intended: () => intended.current() }),
        observed: (key) => {
          const facts = auditor.workloads.get(key);
          const rate = facts === undefined ? undefined : samplingRateOf(facts);
          return rate === undefined ? undefined : { percentage: rate * 100, samples: facts!.samplingValues };
        },
        headers: (key) => headerTally.evidence(key),
      });
      await propagationRoutes(app, { audit, enabled: config.auditEnabled, defaultWindowMs: config.auditWindowMs });
      await dashboardRoutes(app, { root: builtDashboardDir() });
    },
  });

  const host = config.host;
  await zipkinApp.listen({ host, port: config.zipkinPort });
  await otlpHttpApp.listen({ host, port: config.otlpHttpPort });
  const grpc: OtlpGrpcServer = await startOtlpGrpcServer({ deps, ctx, host, port: config.otlpGrpcPort, logger: logger.child({ component: 'otlp-grpc' }) });
  await apiApp.listen({ host, port: config.httpPort });

  let ticks = 0;
  const xdsSources = startXds(xds, config, logger);

  const tick = setInterval(() => {
    assembler.settleDue();
    if (++ticks % PRUNE_EVERY_TICKS !== 0) return;
    store.evictExpired(now());
    auditor.prune(nowUs());
    headerTally.prune();
    // Between requests, while reports are read: a dashboard's report then only adds up tallies that are ready.
    if (audit.readRecently(WARM_WHILE_READ_US)) auditor.warm(WARM_BUDGET_MS);
  }, SETTLE_TICK_MS);
  tick.unref();
  ready = true;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ready = false;
      clearInterval(tick);
      xdsSources?.stop();
      intended?.stop();
      // Ingest first, so nothing new arrives while in-flight requests finish; then settle what
      // is buffered so it is readable until the API goes away.
      await Promise.all([zipkinApp.close(), otlpHttpApp.close(), grpc.close()]);
      const settled = assembler.settleAll();
      logger.info({ settled }, 'buffered traces settled');
      await apiApp.close();
    })();
    return closing;
  };

  return {
    ports: { zipkin: portOf(zipkinApp), otlpGrpc: grpc.port, otlpHttp: portOf(otlpHttpApp), http: portOf(apiApp) },
    assembler, store, stats, auditor, close,
  };
}
