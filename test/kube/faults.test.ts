/**
 * Recovery from API server errors, injected by a proxy in front of a real API server:
 * 409/429/5xx on writes are retried with backoff (honouring Retry-After), and a watch that ends in
 * 410 Gone makes the cache relist without losing the change that happened meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../../src/controller/policy.js';
import { eventually, startTestKube } from '../helpers/kube.js';
import type { TestKube } from '../helpers/kube.js';
import { ROOT_NS, policyBody, startController } from './controller-harness.js';
import type { RunningController } from './controller-harness.js';
import { startFaultProxy } from './fault-proxy.js';
import type { FaultProxy } from './fault-proxy.js';

const started = await startTestKube();
const NS = 'faults';
const usable = 'kube' in started && started.kube.server !== undefined;

describe.runIf(usable)('controller recovery from injected API errors', () => {
  const kube = (started as { kube: TestKube }).kube;
  let proxy: FaultProxy;
  let ctl: RunningController;
  const telemetryPct = async (name: string) => (await kube.api.listTelemetries(NS)).items.find((t) => t.metadata.name === name)?.spec?.tracing?.[0]?.randomSamplingPercentage;
  const create = (name: string, pct: number) => kube.api.custom.createNamespacedCustomObject({
    group: POLICY_GROUP, version: POLICY_VERSION, namespace: NS, plural: POLICY_PLURAL,
    body: policyBody(NS, name, { fixed: { percentage: pct }, target: { matchLabels: { app: name } } }),
  });

  beforeAll(async () => {
    await kube.ensureNamespace(ROOT_NS);
    await kube.ensureNamespace(NS);
    proxy = await startFaultProxy(kube.server!);
    ctl = await startController(proxy.kc, { leaderElection: false });
  }, 60_000);
  afterAll(async () => {
    await ctl?.controller.stop();
    await proxy?.close();
    await kube.stop();
  });

  it.each([
    { name: '503 then 500 on apply', faults: [{ status: 503 }, { status: 500 }] },
    { name: '429 with Retry-After on apply', faults: [{ status: 429, headers: { 'retry-after': '1' } }] },
    { name: '409 on apply', faults: [{ status: 409 }] },
  ])('$name: the Telemetry still appears', async ({ name, faults }) => {
    const policy = name.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    proxy.add(...faults.map((f) => ({ method: 'PATCH', url: new RegExp(`/telemetries/meshtrace-${policy}\\?`), ...f })));
    await create(policy, 12);
    expect(await eventually(() => telemetryPct(`meshtrace-${policy}`), 8000, 'Telemetry')).toBe(12);
    expect(proxy.pending()).toBe(0);
  });

  it('5xx on the status write: retried, status lands', async () => {
    proxy.add({ method: 'PATCH', url: /samplingpolicies\/status-fault\/status/, status: 502 }, { method: 'PATCH', url: /samplingpolicies\/status-fault\/status/, status: 504 });
    await create('status-fault', 3);
    await eventually(async () => (await kube.api.getPolicy(NS, 'status-fault'))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), 8000, 'Ready');
    expect(proxy.pending()).toBe(0);
  });

  it('watch expiry (410 Gone) → relist, and the change made meanwhile is seen', async () => {
    const relists = ctl.controller.policies.relists;
    proxy.add({ method: 'GET', url: /samplingpolicies\?.*watch=true/, status: 'watch-gone' });
    // Cut the open watch: the reconnect gets the 410 and must relist; the policy is created while
    // the watch is down, so only the relist can deliver it.
    proxy.dropWatches();
    await create('during-relist', 21);
    await eventually(async () => ctl.controller.policies.relists > relists, 10_000, 'relist after 410');
    expect(await eventually(() => telemetryPct('meshtrace-during-relist'), 8000, 'Telemetry')).toBe(21);
  }, 20_000);
});

if (!usable) {
  describe('controller recovery from injected API errors', () => {
    it.skip(`skipped: ${'skip' in started ? started.skip : 'needs a local API server (MESHTRACE_TEST_KUBECONFIG gives no server to proxy)'}`, () => {});
  });
}
