/**
 * Audit freshness: how long after a gap's spans arrive the report shows it. A real server with a
 * short settle period gets a simulated Bookinfo burst in which productpage forwards only
 * `x-request-id`; the clock runs from the moment the last batch was accepted until
 * `/api/propagation/report` counts more confirmed gaps for productpage than before.
 */
import { play, simulate } from '../src/simulator/index.js';
import { startMeshtrace } from './server.js';

export interface FreshnessSummary {
  readonly settleMs: number;
  /** The budget: the settle period plus two seconds. */
  readonly budgetMs: number;
  readonly trials: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

const SETTLE_MS = 2000;

async function confirmedGaps(httpPort: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/propagation/report?window=15m`);
  const report = await res.json() as { workloads: { workload: string; gaps: { confirmed: number } }[] };
  return report.workloads.find((w) => w.workload === 'productpage')?.gaps.confirmed ?? 0;
}

export async function auditFreshness(trials: number, log: (msg: string) => void): Promise<FreshnessSummary> {
  const server = await startMeshtrace(['--settle-period', `${SETTLE_MS / 1000}s`]);
  const latencies: number[] = [];
  try {
    for (let trial = 0; trial < trials; trial++) {
      log(`  audit freshness trial ${trial + 1}/${trials} ...`);
      const before = await confirmedGaps(server.ports.http);
      const { batches } = simulate({
        topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 5, requests: 20, clockSkewMs: 0,
        behaviours: { productpage: 'forward-request-id' }, seed: 1000 + trial, startUs: Date.now() * 1000, lateFraction: 0,
      });
      const result = await play(batches, 'zipkin', { zipkinUrl: `http://127.0.0.1:${server.ports.zipkin}` }, { realtime: false });
      if (result.failures > 0) throw new Error(`freshness: ${result.failures} batches refused`);
      const arrived = performance.now();
      for (;;) {
        if (await confirmedGaps(server.ports.http) > before) break;
        if (performance.now() - arrived > 30_000) throw new Error('freshness: the gap never showed in the report');
        await new Promise((r) => setTimeout(r, 20));
      }
      latencies.push(performance.now() - arrived);
    }
  } finally {
    await server.stop();
  }
  latencies.sort((a, b) => a - b);
  return {
    settleMs: SETTLE_MS, budgetMs: SETTLE_MS + 2000, trials,
    medianMs: Math.round(latencies[Math.floor(latencies.length / 2)]!), maxMs: Math.round(latencies[latencies.length - 1]!),
  };
}
