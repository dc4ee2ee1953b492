/**
 * The controller against a real API server (see test/helpers/kube.ts for where it comes from).
 * No kube-controller-manager runs, so there is no garbage collector: deleting a policy must remove
 * its Telemetries through the controller's own finalizer, which is what these tests check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, PREVIOUS_SPEC_ANNOTATION } from '../../src/controller/policy.js';
import type { SamplingPolicy } from '../../src/controller/policy.js';
import type { Telemetry } from '../../src/controller/telemetry.js';
import { eventually, startTestKube } from '../helpers/kube.js';
import type { TestKube } from '../helpers/kube.js';
import { ROOT_NS, policyBody, startController } from './controller-harness.js';
import type { RunningController } from './controller-harness.js';

const started = await startTestKube();
const NS = 'shop';

describe.skipIf('skip' in started)('SamplingPolicy controller on a real API server', () => {
  const kube = (started as { kube: TestKube }).kube;
  let ctl: RunningController;
  const telemetry = (name: string, ns = NS) => kube.api.listTelemetries(ns).then((l) => l.items.find((t) => t.metadata.name === name));
  const policy = (name: string) => kube.api.getPolicy(NS, name);
  const create = (name: string, spec: SamplingPolicy['spec'], annotations?: Record<string, string>) =>
    kube.api.custom.createNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: NS, plural: POLICY_PLURAL, body: policyBody(NS, name, spec, annotations) });
  const remove = (name: string) => kube.api.custom.deleteNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: NS, plural: POLICY_PLURAL, name });

  beforeAll(async () => {
    await kube.ensureNamespace(ROOT_NS);
    await kube.ensureNamespace(NS);
    ctl = await startController(kube.kc);
    await eventually(async () => ctl.controller.isLeader, 10_000, 'leadership');
  }, 60_000);
  afterAll(async () => {
    await ctl?.controller.stop();
    await kube.stop();
  });

  // Latencies (apply → Telemetry, boost expiry → revert) are measured by the bench's controller
  // section; here only the outcome is checked, with generous deadlines for a loaded machine.
  it('a created policy yields its Telemetry, labelled, owned, finalized, with status and an event', async () => {
    await create('fixed', { target: { matchLabels: { app: 'reviews' } }, fixed: { percentage: 25 } });
    const t = await eventually(() => telemetry('meshtrace-fixed'), 15_000, 'Telemetry meshtrace-fixed');
    expect(t.spec).toEqual({ selector: { matchLabels: { app: 'reviews' } }, tracing: [{ randomSamplingPercentage: 25 }] });
    expect(t.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'fixed' });
    expect(t.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'SamplingPolicy', name: 'fixed', controller: true });
    const p = await eventually(async () => { const p = await policy('fixed'); return p?.status?.observedGeneration === 1 && p; }, 2000, 'status');
    expect(p.metadata.finalizers).toContain('meshtrace.io/telemetry-cleanup');
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(p.status).toMatchObject({ mode: 'fixed', target: 'app=reviews', percentage: '25' });
    // Events are recorded just after the status write.
    await eventually(async () => (await kube.api.core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=fixed' }))
      .items.some((e) => e.reason === 'Applied'), 2000, 'Applied event');
  });

  it('an edit updates the Telemetry in place (server-side apply as meshtrace-controller)', async () => {
    await kube.api.patchPolicy(NS, 'fixed', { spec: { fixed: { percentage: 7.5 } } });
    const t = await eventually(async () => { const t = await telemetry('meshtrace-fixed'); return t?.spec?.tracing?.[0]?.randomSamplingPercentage === 7.5 && t; }, 2000, '7.5%');
    const managers = (t.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? [];
    expect(managers.some((m) => m.manager === 'meshtrace-controller' && m.operation === 'Apply')).toBe(true);
  });

  it('deleting a policy removes its Telemetries through the finalizer (no garbage collector runs here)', async () => {
    await remove('fixed');
    await eventually(async () => (await telemetry('meshtrace-fixed')) === undefined, 3000, 'Telemetry deleted');
    await eventually(async () => (await policy('fixed')) === undefined, 3000, 'policy gone');
  });

  it('a policy that goes without the finalizer (removed by hand) still has its Telemetries deleted', async () => {
    await create('unfinalized', { target: { matchLabels: { app: 'ratings' } }, fixed: { percentage: 6 } });
    await eventually(() => telemetry('meshtrace-unfinalized'), 3000, 'Telemetry');
    await eventually(async () => (await policy('unfinalized'))?.metadata.finalizers?.includes('meshtrace.io/telemetry-cleanup'), 3000, 'finalizer');
    await kube.api.patchPolicy(NS, 'unfinalized', { metadata: { finalizers: null } });
    await remove('unfinalized');
    await eventually(async () => (await telemetry('meshtrace-unfinalized')) === undefined, 3000, 'Telemetry deleted');
  });

  it('a boost reverts by itself after its expiry', async () => {
    await create('boost', { boost: { percentage: 100, duration: '3s' } });
    await eventually(() => telemetry('meshtrace-boost'), 2000, 'boost Telemetry');
    const p = await eventually(async () => (await policy('boost'))?.status?.boost, 2000, 'boost status');
    const expiresAt = Date.parse(p.expiresAt);
    await eventually(async () => (await telemetry('meshtrace-boost')) === undefined, expiresAt - Date.now() + 20_000, 'boost Telemetry removed');
    await remove('boost');
    await eventually(async () => (await policy('boost')) === undefined, 10_000, 'boost policy gone');
  });

  it('a boost over an existing policy returns to the saved spec', async () => {
    await create('saved', { boost: { percentage: 100, duration: '4s' } }, { [PREVIOUS_SPEC_ANNOTATION]: JSON.stringify({ fixed: { percentage: 3 } }) });
    await eventually(async () => (await telemetry('meshtrace-saved'))?.spec?.tracing?.[0]?.randomSamplingPercentage === 100, 4000, '100%');
    await eventually(async () => (await telemetry('meshtrace-saved'))?.spec?.tracing?.[0]?.randomSamplingPercentage === 3, 10_000, 'back to 3%');
    const p = await policy('saved');
    expect(p?.spec).toEqual({ fixed: { percentage: 3 } });
    expect(p?.metadata.annotations?.[PREVIOUS_SPEC_ANNOTATION]).toBeUndefined();
    await remove('saved');
  });

  it('a policy blocked by an older one at the same scope takes over once that one is deleted', async () => {
    await create('first', { fixed: { percentage: 8 } });
    await eventually(() => telemetry('meshtrace-first'), 2000, 'first Telemetry');
    await create('second', { fixed: { percentage: 9 } });
    await eventually(async () => (await policy('second'))?.status?.conditions?.some((c) => c.type === 'Conflict' && c.status === 'True'), 2000, 'Conflict');
    await remove('first');
    expect(await eventually(async () => (await telemetry('meshtrace-second'))?.spec?.tracing?.[0]?.randomSamplingPercentage, 3000, 'second takes over')).toBe(9);
    await remove('second');
    await eventually(async () => (await policy('second')) === undefined, 3000, 'second gone');
  });

  it('reports a conflict with a Telemetry it did not write and leaves that one alone', async () => {
    const foreign: Telemetry = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'team-default', namespace: NS }, spec: { tracing: [{ randomSamplingPercentage: 2 }] } };
    await kube.api.custom.createNamespacedCustomObject({ group: 'telemetry.istio.io', version: 'v1', namespace: NS, plural: 'telemetries', body: foreign });
    await create('ns-wide', { fixed: { percentage: 50 } });
    const p = await eventually(async () => { const p = await policy('ns-wide'); return p?.status?.conditions?.find((c) => c.type === 'Conflict' && c.status === 'True') && p; }, 3000, 'Conflict');
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Conflict' });
    expect(await telemetry('meshtrace-ns-wide')).toBeUndefined();
    expect((await telemetry('team-default'))?.spec?.tracing?.[0]?.randomSamplingPercentage).toBe(2);
    await remove('ns-wide');
    await kube.api.deleteTelemetry(NS, 'team-default');
  });

  it('reports each targeted workload from its pods, and a target without pods as Ineffective', async () => {
    // No controller-manager runs: the service account admission needs the default one created by hand.
    await kube.api.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'default' } } })
      .catch((err: { code?: number }) => { if (err.code !== 409) throw err; });
    await kube.api.core.createNamespacedPod({ namespace: NS, body: {
      metadata: { name: 'details-v1-6d8f9c7b5d-x2k4p', labels: { app: 'details', 'service.istio.io/canonical-name': 'details' } },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: 'details:1' }] },
    } });
    await create('per-workload', { target: { matchLabels: { app: 'details' } }, fixed: { percentage: 30 } });
    const p = await eventually(async () => { const p = await policy('per-workload'); return (p?.status?.workloads?.length ?? 0) > 0 && p; }, 5000, 'workload status');
    expect(p.status?.workloads).toEqual([expect.objectContaining({ name: 'details', percentage: 30, source: `${NS}/meshtrace-per-workload` })]);
    await create('no-pods', { target: { matchLabels: { app: 'nothing-runs-this' } }, fixed: { percentage: 30 } });
    const ineffective = await eventually(async () => (await policy('no-pods'))?.status?.conditions?.find((c) => c.type === 'Ineffective' && c.status === 'True'), 5000, 'Ineffective');
    expect(ineffective.reason).toBe('NoWorkloads');
    await Promise.all([remove('per-workload'), remove('no-pods'), kube.api.core.deleteNamespacedPod({ namespace: NS, name: 'details-v1-6d8f9c7b5d-x2k4p' })]);
    await eventually(async () => (await policy('per-workload')) === undefined && (await policy('no-pods')) === undefined, 3000, 'policies gone');
  });

  it('refuses a policy the v1.20 API server admitted without its CEL rules', async () => {
    await create('two-modes', { fixed: { percentage: 1 }, boost: { percentage: 100, duration: '1m' } });
    const p = await eventually(async () => (await policy('two-modes'))?.status?.conditions?.find((c) => c.reason === 'InvalidSpec'), 3000, 'InvalidSpec');
    expect(p.message).toMatch(/exactly one of fixed, adaptive or boost/);
    expect(await telemetry('meshtrace-two-modes')).toBeUndefined();
    await remove('two-modes');
  });

  it('loses no change across an API server restart', async () => {
    if (kube.restart === undefined) return;
    await kube.restart();
    await create('after-restart', { fixed: { percentage: 11 } , target: { matchLabels: { app: 'ratings' } } });
    await eventually(() => telemetry('meshtrace-after-restart'), 10_000, 'Telemetry after restart');
    await remove('after-restart');
    await eventually(async () => (await telemetry('meshtrace-after-restart')) === undefined, 5000, 'deleted after restart');
  }, 90_000);

  it('a second replica waits for the Lease and takes over when the leader stops', async () => {
    const second = await startController(kube.kc);
    await new Promise((r) => setTimeout(r, 1500));
    expect(second.controller.isLeader).toBe(false);
    await ctl.controller.stop();
    await eventually(async () => second.controller.isLeader, 5000, 'takeover');
    await create('by-second', { fixed: { percentage: 4 }, target: { matchLabels: { app: 'x' } } });
    await eventually(() => telemetry('meshtrace-by-second'), 3000, 'Telemetry from the new leader');
    ctl = second;
  }, 30_000);
});

if ('skip' in started) {
  describe('SamplingPolicy controller on a real API server', () => {
    it.skip(`skipped: ${started.skip}`, () => {});
  });
}
