/**
 * The dashboard under an hour of mesh traffic: a real `meshtrace serve` is filled with simulated
 * Bookinfo spans (reviews dropping the trace headers) at 2,000 spans/s over the past hour, then
 *  - p95 of `GET /api/propagation/report?window=1h`, each request paying for a fresh analysis;
 *  - navigation start → overview table rendered in Chromium (the page's `meshtrace:ready:overview` mark);
 *  - the gzipped size of the dashboard's JavaScript.
 * One simulated minute is encoded once; every further minute re-sends it with fresh trace ids and
 * timestamps moved a step into the past (bench/stamp.ts), so loading costs the server, not the simulator.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import { builtDashboardDir, dashboardRoutes } from '../src/server/dashboard.js';
import { simulate, zipkinJson } from '../src/simulator/index.js';
import type { SimSpan } from '../src/simulator/index.js';
import { startMeshtrace } from './server.js';
import type { BenchServer } from './server.js';
import { nextSend, stampable } from './stamp.js';
import type { StampableBody } from './stamp.js';

export interface DashboardFigures {
  readonly overviewApiP95Ms: number;
  readonly overviewInteractiveMs: number;
  readonly bundleGzipBytes: number;
  readonly spansRetained: number;
}

export interface DashboardBenchOptions {
  /** Spans to load; default one hour at 2,000 spans/s. */
  readonly spans?: number;
  /** Loading stops here even if short of `spans` (the figures then say how many were kept). */
  readonly loadSeconds?: number;
  readonly reportRequests?: number;
}

const HOUR_US = 3_600_000_000;
const SPANS_PER_HOUR = 2000 * 3600;
const SPANS_PER_BODY = 100;
const IN_FLIGHT = 4;
/** LiveAudit reuses an analysis for a second unless nothing changed: wait that out between samples. */
const ANALYSIS_CACHE_MS = 1000;
/**
 * Budget for loading the hour: enough for all 7.2M spans on a 2-core machine (about 50k spans/s
 * while the server also settles and audits); a load cut short is reported as such.
 */
const LOAD_SECONDS = 300;

const SERVER_FLAGS = [
  '--settle-period', '1s', '--max-stored-spans', '8000000', '--max-buffered-spans', '2000000',
  // An hour of this traffic holds about 3.5M request windows and root calls; the default cap (1M) would drop the oldest 40 minutes.
  '--audit-max-observations', '5000000',
];

const chromiumPath = (): string => process.env['MESHTRACE_CHROMIUM'] ?? '/usr/bin/chromium';

async function bundleGzipBytes(dir: string): Promise<number> {
  const assets = join(dir, 'assets');
  if (!existsSync(assets)) return NaN;
  let total = 0;
  for (const name of (await readdir(assets)).filter((n) => n.endsWith('.js'))) total += gzipSync(await readFile(join(assets, name)), { level: 9 }).length;
  return total;
}

interface Traffic {
  readonly bodies: StampableBody[];
  /** Spans in each body. */
  readonly sizes: number[];
  readonly spans: number;
}

/** Simulated Bookinfo spans from `startUs`; `requests` user requests with 4 in flight. */
function bookinfo(startUs: number, requests: number, seed: number): SimSpan[] {
  const { batches } = simulate({
    topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 4, requests, clockSkewMs: 5,
    behaviours: { reviews: 'forward-none' }, seed, startUs, flushSpans: SPANS_PER_BODY, lateFraction: 0,
  });
  return batches.flatMap((b) => b.spans);
}

/** Zipkin JSON bodies whose trace ids and timestamps are re-stamped on each send, moving them by `shiftUs`. */
function stampableTraffic(spans: readonly SimSpan[], shiftUs: number): Traffic {
  const bodies: StampableBody[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < spans.length; i += SPANS_PER_BODY) {
    const chunk = spans.slice(i, i + SPANS_PER_BODY);
    bodies.push(stampable(Buffer.from(zipkinJson(chunk)), chunk.map((s) => s.traceId), true, { values: chunk.map((s) => BigInt(s.timestamp)), shift: BigInt(shiftUs) }));
    sizes.push(chunk.length);
  }
  return { bodies, sizes, spans: spans.length };
}

function postBody(agent: http.Agent, port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: '127.0.0.1', port, path: '/api/v2/spans', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends minute after minute until `rounds` minutes or the deadline; returns the spans accepted. */
async function load(zipkinPort: number, minute: Traffic, rounds: number, deadline: number): Promise<{ spans: number; rounds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  let accepted = 0;
  let round = 0;
  for (; round < rounds && Date.now() < deadline; round++) {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < minute.bodies.length; i = next++) {
        const body = nextSend(minute.bodies[i]!);
        // A full buffer answers 429: wait for it to settle and resend the same body.
        for (let status = await postBody(agent, zipkinPort, body); status === 429; status = await postBody(agent, zipkinPort, body)) {
          await new Promise((r) => setTimeout(r, 200));
        }
        accepted += minute.sizes[i]!;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  }
  agent.destroy();
  return { spans: accepted, rounds: round };
}

interface Status { store: { spans: number }; buffer: { bufferedSpans: number }; audit: { tracesObserved: number } }

async function status(httpPort: number): Promise<Status> {
  return await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json() as Status;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('dashboard bench: the server did not settle in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Makes the next report request pay for a whole analysis, as on a live mesh: new traffic
 * arrives (a fresh trace settles) and the cached analysis is older than its second.
 */
async function invalidateAnalysis(server: BenchServer, trickle: StampableBody): Promise<void> {
  const before = (await status(server.ports.http)).audit.tracesObserved;
  await postBody(new http.Agent(), server.ports.zipkin, nextSend(trickle));
  await until(async () => (await status(server.ports.http)).audit.tracesObserved > before, 10_000);
  await new Promise((r) => setTimeout(r, ANALYSIS_CACHE_MS));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** One timed GET; a failed request is a finding of the bench, never a timing. */
async function timedGet(url: string): Promise<{ ms: number; failure: string | undefined }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - started, failure: res.ok ? undefined : `${res.status} ${body.slice(0, 200)}` };
}

async function reportP95(server: BenchServer, trickle: StampableBody, requests: number, log: (m: string) => void): Promise<number> {
  const url = `http://127.0.0.1:${server.ports.http}/api/propagation/report?window=1h`;
  const cold: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < requests; i++) {
    await invalidateAnalysis(server, trickle);
    const { ms, failure } = await timedGet(url);
    if (failure === undefined) cold.push(ms);
    else failures.push(failure);
  }
  if (failures.length > 0) {
    log(`  report window=1h: ${failures.length} of ${requests} requests failed, e.g. ${failures[0]!}`);
    return NaN;
  }
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push((await timedGet(url)).ms);
  const slowest = cold.map((ms, i) => [i + 1, ms] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
  cold.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  log(`  report window=1h: uncached median ${cold[Math.floor(cold.length / 2)]!.toFixed(0)} ms, p95 ${percentile(cold, 0.95).toFixed(0)} ms; cached p95 ${percentile(warm, 0.95).toFixed(1)} ms`);
  log(`    slowest uncached (request number: ms): ${slowest.map(([i, ms]) => `${i}: ${ms.toFixed(0)}`).join(', ')}`);
  return percentile(cold, 0.95);
}

/**
 * The page's origin: meshtrace's API port once it serves the dashboard; until then a stand-in
 * serving the same plugin and forwarding /api/* (the stand-in's hop is then in the figure).
 */
async function dashboardOrigin(httpPort: number, dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const api = `http://127.0.0.1:${httpPort}`;
  if ((await fetch(`${api}/`)).status !== 404) return { origin: api, close: () => Promise.resolve() };
  const front = Fastify();
  await front.register(async (scope) => dashboardRoutes(scope, { root: dir }));
  front.get('/api/*', async (request, reply) => {
    const answer = await fetch(`${api}${request.url}`);
    return reply.code(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(Buffer.from(await answer.arrayBuffer()));
  });
  return { origin: await front.listen({ host: '127.0.0.1', port: 0 }), close: () => front.close() };
}

/** Median over a few cold loads of navigation start → workload table rendered. */
async function overviewInteractiveMs(server: BenchServer, trickle: StampableBody, dir: string, log: (m: string) => void): Promise<number> {
  if (!existsSync(chromiumPath())) {
    log(`  Chromium not found at ${chromiumPath()}: no browser figure`);
    return NaN;
  }
  const site = await dashboardOrigin(server.ports.http, dir);
  const browser = await chromium.launch({ executablePath: chromiumPath() });
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      await invalidateAnalysis(server, trickle);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${site.origin}/#/?window=1h`);
      await page.waitForSelector('body[data-ready="overview"], [role="alert"]', { timeout: 120_000 });
      const alert = page.locator('[role="alert"]');
      if (await alert.count() > 0) {
        log(`  overview did not render: ${await alert.first().textContent() ?? ''}`);
        return NaN;
      }
      times.push(await page.evaluate<number>("performance.getEntriesByName('meshtrace:ready:overview')[0].startTime"));
      log(`    report request ${await page.evaluate<string>("(() => { const r = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/propagation/report')); return r ? Math.round(r.startTime) + ' → ' + Math.round(r.responseEnd) + ' ms' : 'not found'; })()")}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
  log(`  overview interactive (cold report): ${times.map((t) => t.toFixed(0)).join(', ')} ms${site.origin.endsWith(`:${server.ports.http}`) ? '' : ' (through a stand-in origin: meshtrace does not serve the dashboard yet)'}`);
  return times.sort((a, b) => a - b)[1]!;
}

export async function dashboardBench(log: (m: string) => void, options: DashboardBenchOptions = {}): Promise<DashboardFigures> {
  const dir = builtDashboardDir();
  const bundle = await bundleGzipBytes(dir);
  const target = options.spans ?? SPANS_PER_HOUR;
  const nowUs = Date.now() * 1000;
  log('  dashboard: simulating one minute of Bookinfo at 2,000 spans/s ...');
  // Bookinfo makes about 8.85 spans a request; 4 clients in flight take about a minute for these.
  const spans = bookinfo(nowUs - 70_000_000, Math.round((2000 * 60) / 8.85), 11);
  const rounds = Math.ceil(target / spans.length);
  // Newest minute first, each round one step further into the past: a load cut short by the
  // deadline still fills the most recent minutes, which every dashboard window shows.
  const minute = stampableTraffic(spans, -Math.floor(HOUR_US / rounds));
  // A different seed: the trickle's trace ids must not collide with the hour's.
  const trickle = stampableTraffic(bookinfo(nowUs - 300_000_000, 10, 12), 1_000_000).bodies[0]!;
  // The child needs room for millions of spans: V8's default old space (about 4 GiB) is not enough.
  const heap = process.env['NODE_OPTIONS'];
  process.env['NODE_OPTIONS'] = [heap, '--max-old-space-size=20000'].filter(Boolean).join(' ');
  const server = await startMeshtrace(SERVER_FLAGS).finally(() => {
    if (heap === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = heap;
  });
  try {
    const started = Date.now();
    log(`  dashboard: loading up to ${rounds} minutes × ${minute.spans} spans ...`);
    const loaded = await load(server.ports.zipkin, minute, rounds, started + (options.loadSeconds ?? LOAD_SECONDS) * 1000);
    const sentMs = Date.now() - started;
    await until(async () => (await status(server.ports.http)).buffer.bufferedSpans === 0, 120_000);
    const spansRetained = (await status(server.ports.http)).store.spans;
    log(`  dashboard: ${loaded.rounds} minutes, ${loaded.spans} spans sent in ${(sentMs / 1000).toFixed(1)} s, ${spansRetained} retained once settled (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const overviewApiP95Ms = await reportP95(server, trickle, options.reportRequests ?? 50, log);
    const overviewInteractive = await overviewInteractiveMs(server, trickle, dir, log);
    return { overviewApiP95Ms, overviewInteractiveMs: overviewInteractive, bundleGzipBytes: bundle, spansRetained };
  } finally {
    await server.stop();
  }
}
