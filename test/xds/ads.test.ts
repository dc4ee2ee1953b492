import { afterEach, describe, expect, it } from 'vitest';
import { AdsWatcher } from '../../src/xds/ads-client.js';
import type { XdsNode } from '../../src/xds/ads-client.js';
import { LISTENER_TYPE_URL } from '../../src/xds/ads-resources.js';
import { startXdsSources } from '../../src/xds/sources.js';
import type { RunningXdsSources } from '../../src/xds/sources.js';
import { XdsState } from '../../src/xds/state.js';
import { FakeIstiod, listenerAny, until } from './ads-server.js';
import { inboundListener } from './helpers.js';

const NODE: XdsNode = {
  id: 'sidecar~10.244.1.17~reviews-v1-7d9f6c5b8-2xk4p.default~default.svc.cluster.local',
  metadata: { ISTIO_VERSION: '1.22.3', NAMESPACE: 'default', NAME: 'reviews-v1-7d9f6c5b8-2xk4p', LABELS: { app: 'reviews', 'service.istio.io/canonical-name': 'reviews' } },
};

let istiod: FakeIstiod | undefined;
let sources: RunningXdsSources | undefined;
let watcher: AdsWatcher | undefined;

afterEach(async () => {
  sources?.stop();
  watcher?.stop();
  await istiod?.stop();
  sources = undefined;
  watcher = undefined;
  istiod = undefined;
});

async function watched(): Promise<{ istiod: FakeIstiod; state: XdsState; w: AdsWatcher }> {
  istiod = new FakeIstiod();
  const port = await istiod.start();
  istiod.current = { version: 'v1', resources: [listenerAny(inboundListener(10))] };
  const state = new XdsState();
  sources = startXdsSources(state, { ads: { target: `127.0.0.1:${port}`, nodes: [NODE], initialBackoffMs: 50 } });
  const w = sources.watchers[0]!;
  await until(() => state.proxies().length === 1);
  return { istiod, state, w };
}

const effective = (state: XdsState): number | undefined => state.workloads().get('default/reviews')?.proxies[0]?.percentage;

describe('ADS watch against an in-process istiod', () => {
  it('impersonates the node, decodes protobuf Listeners and ACKs with version and nonce', async () => {
    const { istiod: fake, state, w } = await watched();
    expect(effective(state)).toBe(10);
    const p = state.proxies()[0]!;
    expect(p).toMatchObject({ source: 'ads', versionInfo: 'v1', proxy: { workload: 'reviews', istioVersion: '1.22.3' } });
    expect(p.provider).toMatchObject({ kind: 'zipkin', traceContextOption: 'USE_B3_WITH_W3C_PROPAGATION', sharedSpanContext: false });
    await until(() => fake.requests.length >= 2);
    expect(fake.requests[0]).toMatchObject({ type_url: LISTENER_TYPE_URL, node: { id: NODE.id } });
    expect(fake.requests[1]).toMatchObject({ version_info: 'v1', response_nonce: 'n1' });
    expect(w.status).toMatchObject({ acks: 1, nacks: 0, connected: true, acceptedVersion: 'v1' });
  });

  it('NACKs unknown type URLs and truncated Anys with the last good version, keeping the last good config', async () => {
    const { istiod: fake, state, w } = await watched();
    const good = listenerAny(inboundListener(50));
    fake.push('v2', [good, { type_url: 'type.googleapis.com/envoy.config.listener.v9.Nope', value: good.value }], false);
    await until(() => w.status.nacks === 1);
    fake.push('v3', [{ type_url: LISTENER_TYPE_URL, value: good.value.subarray(0, good.value.length - 7) }], false);
    await until(() => w.status.nacks === 2);
    const nacks = fake.requests.filter((r) => r.error_detail !== undefined && r.error_detail !== null);
    expect(nacks.map((r) => [r.version_info, r.response_nonce])).toEqual([['v1', 'n2'], ['v1', 'n3']]);
    expect(nacks[0]!.error_detail!.message).toMatch(/resources\[1\]: type URL .*listener\.v9\.Nope/);
    expect(nacks[1]!.error_detail!.message).toMatch(/does not decode .*truncated or corrupt Any/);
    expect(effective(state)).toBe(10);
    expect(state.errors[`ads:${NODE.id}`]).toMatch(/^NACK version v3/);
  });

  // The push-to-effective time is measured by the bench (xds section), not asserted here.
  it('takes a pushed sampling change into the effective view', async () => {
    const { istiod: fake, state } = await watched();
    fake.push('v2', [listenerAny(inboundListener(25))]);
    await until(() => effective(state) === 25);
    fake.push('v3', [listenerAny(inboundListener(undefined))]);
    await until(() => effective(state) === undefined);
    expect(state.tracingFacts('default/reviews')).toEqual({ provider: undefined, tracingDisabled: true, disabledSides: ['inbound'] });
  });

  it('restarts an ended stream, re-sending the last accepted version', async () => {
    const { istiod: fake, w } = await watched();
    fake.endStreams();
    await until(() => w.status.streamsStarted === 2 && fake.streams === 1);
    const restart = fake.requests.filter((r) => (r.response_nonce ?? '') === '').at(-1)!;
    expect(restart.version_info).toBe('v1');
  });

  it('survives istiod going away and resumes when it is back', async () => {
    const { istiod: fake, state, w } = await watched();
    const port = fake.port;
    await fake.stop();
    await until(() => !w.status.connected && w.status.lastError !== undefined);
    expect(effective(state)).toBe(10); // last known config stays readable
    istiod = new FakeIstiod();
    await istiod.start(port);
    istiod.current = { version: 'v9', resources: [listenerAny(inboundListener(33))] };
    await until(() => effective(state) === 33, 10_000);
    expect(w.status.connected).toBe(true);
  });

  it('backs off exponentially with jitter while istiod is unreachable', async () => {
    istiod = new FakeIstiod();
    const port = await istiod.start();
    await istiod.stop();
    const errors: number[] = [];
    watcher = new AdsWatcher({ target: `127.0.0.1:${port}`, node: NODE, initialBackoffMs: 20, maxBackoffMs: 80, random: () => 1, onUpdate: () => undefined, onError: () => errors.push(Date.now()) });
    watcher.start();
    await until(() => errors.length >= 5, 5000);
    const gaps = errors.slice(1).map((t, i) => t - errors[i]!);
    expect(gaps[0]!).toBeGreaterThanOrEqual(15);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(60); // capped at 80 ms
  });
});
