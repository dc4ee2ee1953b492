import { afterEach, describe, expect, it } from 'vitest';
import { DecodeContext } from '../ingest/index.js';
import { decodeOtlpProto } from '../otlp-ingest/index.js';
import { play, simulate } from './index.js';
import type { SimBatch } from './index.js';
import { START_US } from '../../test/helpers/sim-helpers.js';
import { startCollector } from '../../test/helpers/sim-server.js';
import type { TestCollector } from '../../test/helpers/sim-server.js';

const { batches } = simulate({ topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 5, requests: 30, clockSkewMs: 0, seed: 1, startUs: START_US });
const spanCount = batches.reduce((n, b) => n + b.spans.length, 0);

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('play', () => {
  it('posts every batch as Zipkin v2 JSON to /api/v2/spans', async () => {
    collector = await startCollector();
    const progress: number[] = [];
    const result = await play(batches, 'zipkin', { zipkinUrl: collector.url }, { realtime: false, onProgress: (sent) => progress.push(sent) });
    expect(result).toEqual({ batches: batches.length, spans: spanCount, failures: 0 });
    expect(collector.received).toHaveLength(batches.length);
    expect(collector.received.every((r) => r.path === '/api/v2/spans' && r.contentType === 'application/json')).toBe(true);
    const posted = collector.received.reduce((n, r) => n + (JSON.parse(r.body.toString()) as unknown[]).length, 0);
    expect(posted).toBe(spanCount);
    expect(progress).toHaveLength(batches.length);
    expect(progress.at(-1)).toBe(batches.length);
  });

  it('posts OTLP protobuf to /v1/traces for the opentelemetry provider', async () => {
    collector = await startCollector(() => 200);
    const result = await play(batches.slice(0, 5), 'opentelemetry', { otlpHttpUrl: `${collector.url}/` }, { realtime: false });
    expect(result.failures).toBe(0);
    expect(collector.received.map((r) => [r.path, r.contentType])).toEqual(Array(5).fill(['/v1/traces', 'application/x-protobuf']));
    const decoded = decodeOtlpProto(collector.received[0]!.body, new DecodeContext(), 'otlp-proto');
    expect(decoded.spans.length).toBeGreaterThan(0);
  });

  it("retries a 429 after its Retry-After and counts other refusals as failures", async () => {
    collector = await startCollector((index, res) => {
      if (index === 0) {
        res.setHeader('retry-after', '0');
        return 429;
      }
      return index === 2 ? 500 : 202;
    });
    const two: SimBatch[] = batches.slice(0, 2);
    const result = await play(two, 'zipkin', { zipkinUrl: collector.url }, { realtime: false });
    // Serial enough to be predictable: request 0 is refused and retried (request 1 or 2).
    expect(collector.received).toHaveLength(3);
    expect(result.batches + result.failures).toBe(2);
    expect(result.failures).toBe(1);
  });

  it('counts an unreachable collector as failures', async () => {
    collector = await startCollector();
    const url = collector.url;
    await collector.close();
    collector = undefined;
    const result = await play(batches.slice(0, 3), 'zipkin', { zipkinUrl: url }, { realtime: false });
    expect(result).toEqual({ batches: 0, spans: 0, failures: 3 });
  });

  it('paces batches by deliverAtUs in realtime mode', async () => {
    collector = await startCollector();
    const spaced: SimBatch[] = [0, 1, 2].map((i) => ({ ...batches[i]!, deliverAtUs: START_US + i * 60_000 }));
    const t0 = performance.now();
    const result = await play(spaced, 'zipkin', { zipkinUrl: collector.url }, { realtime: true });
    expect(result.failures).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
  });

  it('stops starting batches when aborted', async () => {
    collector = await startCollector();
    const spaced: SimBatch[] = [0, 1, 2].map((i) => ({ ...batches[i]!, deliverAtUs: START_US + i * 10_000_000 }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const result = await play(spaced, 'zipkin', { zipkinUrl: collector.url }, { realtime: true, signal: abort.signal });
    expect(result.batches).toBe(1);
    expect(collector.received).toHaveLength(1);
  });
});
