import { describe, expect, it } from 'vitest';
import { cleanupTargets, reconcile } from './reconcile.js';
import type { WorkloadRate } from './reconcile-types.js';
import { NOW, ROOT, mesh, observed, pod, policy, telemetry } from './fixtures.test-helpers.js';

const ours = (policyName: string, name: string, pct: number, extra: Record<string, string> = {}, selector?: Record<string, string>) =>
  telemetry('shop', name, [{ randomSamplingPercentage: pct }], { labels: { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': policyName, ...extra }, ...(selector ? { selector } : {}) });
const cond = (plan: ReturnType<typeof reconcile>, type: string) => plan.status.conditions?.find((c) => c.type === type);
const reviews = { name: 'reviews', pod: pod({ app: 'reviews', 'service.istio.io/canonical-name': 'reviews' }) };
const ratings = { name: 'ratings', pod: pod({ app: 'ratings', 'service.istio.io/canonical-name': 'ratings' }) };

describe('reconcile: fixed policies', () => {
  it('writes one labelled, owned Telemetry at the policy\'s scope', () => {
    const plan = reconcile(observed(policy('p', { target: { matchLabels: { app: 'reviews' } }, fixed: { percentage: 25 }, provider: 'zipkin' })));
    expect(plan.apply).toEqual([{
      apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry',
      metadata: {
        name: 'meshtrace-p', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'p' },
        ownerReferences: [{ apiVersion: 'meshtrace.io/v1alpha1', kind: 'SamplingPolicy', name: 'p', uid: 'uid-p', controller: true, blockOwnerDeletion: true }],
      },
      spec: { selector: { matchLabels: { app: 'reviews' } }, tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 25 }] },
    }]);
    expect(cond(plan, 'Ready')).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(plan.status).toMatchObject({ mode: 'fixed', target: 'app=reviews', percentage: '25', observedGeneration: 1 });
    expect(plan.events).toEqual([{ type: 'Normal', reason: 'Applied', message: 'Telemetry shop/meshtrace-p=25%' }]);
  });

  it('a policy in the root namespace without a selector targets the mesh', () => {
    const plan = reconcile(observed(policy('mesh', { fixed: { percentage: 2 } }, { namespace: ROOT })));
    expect(plan.apply[0]?.metadata.namespace).toBe(ROOT);
    expect(plan.status.target).toBe('mesh');
  });

  it('deletes Telemetries it wrote that the policy no longer wants', () => {
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 5 } }), { telemetries: [ours('p', 'meshtrace-p-old', 1)] }));
    expect(plan.delete).toEqual(['meshtrace-p-old']);
  });

  it('an invalid spec keeps the last good Telemetry and says why', () => {
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 500 } }), { telemetries: [ours('p', 'meshtrace-p', 5)] }));
    expect(plan.apply).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(cond(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cond(plan, 'Ready')?.message).toMatch(/spec\.fixed\.percentage.*keeping the last good Telemetry/);
    expect(plan.events[0]).toMatchObject({ type: 'Warning', reason: 'InvalidSpec' });
  });

  it('keeps lastTransitionTime while a condition holds', () => {
    const first = reconcile(observed(policy('p', { fixed: { percentage: 5 } })));
    const again = reconcile(observed(policy('p', { fixed: { percentage: 5 } }, {}, first.status), { nowMs: NOW + 60_000 }));
    expect(cond(again, 'Ready')?.lastTransitionTime).toBe(cond(first, 'Ready')?.lastTransitionTime);
    expect(again.events).toEqual([]);
  });
});

describe('reconcile: conflicts (never fights another owner)', () => {
  const cases = [
    { name: 'a foreign namespace-wide Telemetry', spec: { fixed: { percentage: 5 } }, other: telemetry('shop', 'team', [{ randomSamplingPercentage: 1 }]), msg: /Telemetry shop\/team already sets the whole namespace/ },
    { name: 'a foreign Telemetry with the same selector', spec: { target: { matchLabels: { app: 'reviews' } }, fixed: { percentage: 5 } }, other: telemetry('shop', 'x', [], { selector: { app: 'reviews' } }), msg: /same selector/ },
    { name: 'a foreign Telemetry with the name it would use', spec: { fixed: { percentage: 5 } }, other: telemetry('shop', 'meshtrace-p', [], { selector: { app: 'z' } }), msg: /already exists and was not written by this policy/ },
    { name: 'another policy\'s Telemetry at the same scope', spec: { fixed: { percentage: 5 } }, other: ours('other', 'meshtrace-other', 3), msg: /SamplingPolicy shop\/other already sets/ },
  ];
  it.each(cases)('$name', ({ spec, other, msg }) => {
    const plan = reconcile(observed(policy('p', spec), { telemetries: [other] }));
    expect(plan.apply).toEqual([]);
    expect(cond(plan, 'Conflict')).toMatchObject({ status: 'True' });
    expect(cond(plan, 'Conflict')?.message).toMatch(msg);
    expect(cond(plan, 'Ready')).toMatchObject({ status: 'False', reason: 'Conflict' });
    expect(plan.events.some((e) => e.type === 'Warning' && e.reason === 'Conflict')).toBe(true);
  });

  it('a different selector in the same namespace is fine unless it picks the same pods', () => {
    const other = telemetry('shop', 'x', [], { selector: { tier: 'backend' } });
    const spec = { target: { matchLabels: { app: 'reviews' } }, fixed: { percentage: 5 } };
    expect(reconcile(observed(policy('p', spec), { telemetries: [other] })).apply).toHaveLength(1);
    const backendReviews = { name: 'reviews', pod: pod({ app: 'reviews', tier: 'backend' }) };
    const plan = reconcile(observed(policy('p', spec), { telemetries: [other], workloads: [backendReviews] }));
    expect(cond(plan, 'Conflict')?.message).toMatch(/selects some of the same pods/);
  });

  it('of two policies at the same scope the older wins', () => {
    const older = policy('a', { fixed: { percentage: 1 } }, { creationTimestamp: '2025-01-01T00:00:00Z' });
    const plan = reconcile(observed(policy('b', { fixed: { percentage: 9 } }), { policies: [older] }));
    expect(plan.apply).toEqual([]);
    expect(cond(plan, 'Conflict')?.message).toMatch(/SamplingPolicy shop\/a already targets/);
    expect(reconcile(observed(older, { policies: [policy('b', { fixed: { percentage: 9 } })] })).apply).toHaveLength(1);
  });
});

describe('reconcile: Ineffective', () => {
  const rates = (entries: [string, WorkloadRate][]) => new Map(entries);
  it.each([
    { name: 'no pods match', over: { workloads: [] }, reason: 'NoWorkloads' },
    { name: 'no tracing provider', over: { workloads: [reviews], mesh: mesh({ defaultTracingProvider: undefined }) }, reason: 'NoProvider' },
    { name: 'a provider sampler overrides percentages', over: { workloads: [reviews], mesh: mesh({ extensionProviders: [{ name: 'zipkin', kind: 'opentelemetry', hasSampler: true }] }) }, reason: 'ProviderSampler' },
    { name: 'a workload Telemetry of someone else overrides a namespace policy', over: { workloads: [reviews], telemetries: [telemetry('shop', 'r', [{ randomSamplingPercentage: 3 }], { selector: { app: 'reviews' } })] }, reason: 'Overridden' },
    { name: 'the workloads never start traces', over: { workloads: [reviews], rates: rates([['reviews', { role: 'service', tracesPerSecond: 0, rootCalls: 0 }]]) }, reason: 'CallersDecide' },
  ])('$name', ({ over, reason }) => {
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 50 } }), over));
    expect(cond(plan, 'Ineffective')).toMatchObject({ status: 'True', reason });
    expect(plan.events.some((e) => e.type === 'Warning' && e.reason === reason)).toBe(true);
  });

  it('effective when a targeted workload starts traces', () => {
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 50 } }), {
      workloads: [reviews], rates: rates([['reviews', { role: 'gateway', tracesPerSecond: 3, rootCalls: 0 }]]),
    }));
    expect(cond(plan, 'Ineffective')).toMatchObject({ status: 'False' });
    expect(plan.status.workloads).toEqual([{ name: 'reviews', percentage: 50, source: 'shop/meshtrace-p', provider: 'zipkin', role: 'gateway' }]);
  });
});

describe('reconcile: adaptive', () => {
  const spec = { adaptive: { targetTracesPerSecond: 10, minPercentage: 0.1, maxPercentage: 50 } };
  it('writes one Telemetry per workload that starts traces, starting from what is in effect', () => {
    const plan = reconcile(observed(policy('p', spec), {
      workloads: [reviews, ratings], telemetries: [telemetry(ROOT, 'mesh', [{ randomSamplingPercentage: 10 }])],
      rates: new Map([['reviews', { role: 'originator', tracesPerSecond: 40, rootCalls: 40 }], ['ratings', { role: 'service', tracesPerSecond: 0, rootCalls: 0 }]]),
    }));
    expect(plan.apply.map((t) => [t.metadata.name, t.spec?.selector?.matchLabels, t.spec?.tracing?.[0]?.randomSamplingPercentage])).toEqual([
      ['meshtrace-p-reviews', { 'service.istio.io/canonical-name': 'reviews' }, 2.5],
    ]);
    expect(plan.status.workloads?.find((w) => w.name === 'reviews')).toMatchObject({ percentage: 2.5, observedTracesPerSecond: 40, lastChangeTime: new Date(NOW).toISOString() });
  });

  it('continues from the percentage it wrote and holds after a change', () => {
    const mine = ours('p', 'meshtrace-p-reviews', 2.5, { 'meshtrace.io/workload': 'reviews' }, { 'service.istio.io/canonical-name': 'reviews' });
    const status = { workloads: [{ name: 'reviews', lastChangeTime: new Date(NOW - 1000).toISOString() }] };
    const plan = reconcile(observed(policy('p', spec, {}, status), {
      telemetries: [mine], rates: new Map([['reviews', { role: 'originator', tracesPerSecond: 1, rootCalls: 1 }]]),
    }));
    expect(plan.apply[0]?.spec?.tracing?.[0]?.randomSamplingPercentage).toBe(2.5);
  });

  it('without measurements keeps what it wrote and says it needs meshtrace', () => {
    const mine = ours('p', 'meshtrace-p-reviews', 7, { 'meshtrace.io/workload': 'reviews' });
    const plan = reconcile(observed(policy('p', spec), { telemetries: [mine] }));
    expect(plan.apply[0]?.spec?.tracing?.[0]?.randomSamplingPercentage).toBe(7);
    expect(plan.delete).toEqual([]);
    expect(cond(plan, 'Ineffective')).toMatchObject({ status: 'True', reason: 'NoMeasurements' });
  });
});

describe('cleanupTargets', () => {
  it('finds only this policy\'s Telemetries', () => {
    const p = policy('p', { fixed: { percentage: 1 } });
    expect(cleanupTargets(p, [ours('p', 'a', 1), ours('q', 'b', 1), telemetry('shop', 'c', [])])).toEqual(['a']);
  });
});
