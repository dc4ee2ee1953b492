import { describe, expect, it } from 'vitest';
import { CONDITION_ORDER } from './conditions.js';
import { parseEffective } from './effective-rates.js';
import type { WorkloadEnvoys } from './effective-rates.js';
import { MAX_EFFECTIVE_LISTED } from './effective-status.js';
import type { SamplingPolicy } from './policy.js';
import { reconcile } from './reconcile.js';
import type { EnvoyView, ObservedState, WorkloadFacts } from './reconcile-types.js';
import { NOW, mesh, observed, pod, policy, telemetry } from './fixtures.test-helpers.js';

const workload = (name: string): WorkloadFacts => ({ name, pod: pod({ app: name, 'service.istio.io/canonical-name': name }) });
const reviews = workload('reviews');
const ratings = workload('ratings');

/** What meshtrace would answer for namespace shop: per workload, each pod's inbound percentages ([] = tracing off). */
function envoys(pods: Record<string, number[][]>): EnvoyView {
  const parsed = parseEffective({
    workloads: Object.entries(pods).map(([w, proxies]) => ({
      namespace: 'shop', workload: w, gateway: false,
      proxies: proxies.map((p) => ({ type: 'sidecar', sides: { inbound: { percentages: p, enabledHcms: p.length, disabledHcms: [] } } })),
    })),
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return { workloads: parsed.value.get('shop') ?? new Map<string, WorkloadEnvoys>() };
}

const fixed = (percentage: number, status?: SamplingPolicy['status']) =>
  policy('p', { target: { matchLabels: { app: 'reviews' } }, fixed: { percentage } }, {}, status);
const effective = (plan: ReturnType<typeof reconcile>) => plan.status.conditions?.find((c) => c.type === 'Effective');
const run = (p: SamplingPolicy, over: Partial<ObservedState>) => reconcile(observed(p, { workloads: [reviews], ...over }));

describe('reconcile: the Effective condition', () => {
  it('comes right after Applied', () => {
    expect(CONDITION_ORDER.slice(0, 3)).toEqual(['Ready', 'Applied', 'Effective']);
    expect(run(fixed(10), {}).status.conditions?.map((c) => c.type)).toEqual(['Ready', 'Applied', 'Effective', 'Conflict', 'Ineffective']);
  });

  it('is true when every pod of every targeted workload runs what the policy wrote', () => {
    const plan = run(fixed(10), { effective: envoys({ reviews: [[10], [10], [10]] }) });
    expect(effective(plan)).toMatchObject({ status: 'True', reason: 'Effective', message: 'the Envoys of 1 workload run 10%' });
    expect(plan.status.effective).toEqual([{ workload: 'reviews', percentages: [10], proxies: 3, expected: 10, matches: true }]);
    expect(plan.events).toContainEqual({ type: 'Normal', reason: 'Effective', message: 'the Envoys of 1 workload run 10%' });
  });

  it('is Pending while Envoys still run another value, naming the workload, its values and pod counts', () => {
    const plan = run(fixed(10), { effective: envoys({ reviews: [[1], [1], [1], [10]] }) });
    expect(effective(plan)).toMatchObject({ status: 'False', reason: 'Pending', message: 'reviews runs 1% (3 pods), 10% (1 pod), asked 10%' });
    expect(plan.status.effective).toEqual([{ workload: 'reviews', percentages: [1, 10], proxies: 4, expected: 10, matches: false }]);
    expect(plan.events).toContainEqual({ type: 'Normal', reason: 'EffectivePending', message: 'reviews runs 1% (3 pods), 10% (1 pod), asked 10%' });
  });

  it('counts tracing switched off on the deciding side as not running the percentage', () => {
    const plan = run(fixed(10), { effective: envoys({ reviews: [[]] }) });
    expect(effective(plan)).toMatchObject({ reason: 'Pending', message: 'reviews runs no tracing (1 pod), asked 10%' });
  });

  it('compares with a tolerance for float noise, not for real differences', () => {
    expect(effective(run(fixed(12.5), { effective: envoys({ reviews: [[12.500000001]] }) }))?.status).toBe('True');
    expect(effective(run(fixed(12.5), { effective: envoys({ reviews: [[12.51]] }) }))?.reason).toBe('Pending');
  });

  it('is NoProxies when meshtrace has no Envoy config for a targeted workload, with a warning', () => {
    const plan = run(policy('p', { fixed: { percentage: 10 } }), { workloads: [reviews, ratings], effective: envoys({ reviews: [[10]] }) });
    expect(effective(plan)).toMatchObject({ status: 'False', reason: 'NoProxies', message: 'meshtrace has no Envoy config to compare for ratings; 1 other workload run the written percentage' });
    expect(plan.status.effective).toEqual([
      { workload: 'ratings', percentages: [], proxies: 0, expected: 10, matches: false },
      { workload: 'reviews', percentages: [10], proxies: 1, expected: 10, matches: true },
    ]);
    expect(plan.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'NoProxies' }));
    expect(effective(run(fixed(10), { effective: envoys({}) }))).toMatchObject({ reason: 'NoProxies', message: 'meshtrace has no Envoy config to compare for reviews' });
  });

  it('Pending wins over NoProxies: a wrong value is news, a missing one may be a blind spot', () => {
    expect(effective(run(policy('p', { fixed: { percentage: 10 } }), { workloads: [reviews, ratings], effective: envoys({ reviews: [[3]] }) }))?.reason).toBe('Pending');
  });

  it('is Unknown without --meshtrace-url, when meshtrace cannot be read, and when the pods were not listed; no event for it', () => {
    const noUrl = run(fixed(10), {});
    expect(effective(noUrl)).toMatchObject({ status: 'False', reason: 'Unknown', message: expect.stringContaining('no --meshtrace-url') });
    expect(noUrl.status.effective).toBeUndefined();
    expect(noUrl.events.map((e) => e.reason)).toEqual(['Applied']);
    const down = run(fixed(10), { effective: { unavailable: 'http://meshtrace:8080/api/sampling/effective?namespace=shop answered 503' } });
    expect(effective(down)).toMatchObject({ reason: 'Unknown', message: 'cannot read what the Envoys run from meshtrace: http://meshtrace:8080/api/sampling/effective?namespace=shop answered 503' });
    const noPods = run(fixed(10), { workloads: undefined, effective: envoys({ reviews: [[10]] }) });
    expect(effective(noPods)).toMatchObject({ reason: 'Unknown', message: expect.stringContaining('pods were not listed') });
  });

  it('compares only the workloads this policy decides, and says how many others there are', () => {
    const ns = policy('p', { fixed: { percentage: 5 } });
    const theirs = telemetry('shop', 'ratings-own', [{ randomSamplingPercentage: 3 }], { selector: { app: 'ratings' } });
    const plan = reconcile(observed(ns, { workloads: [reviews, ratings], telemetries: [theirs], effective: envoys({ reviews: [[5]], ratings: [[3]] }) }));
    expect(effective(plan)).toMatchObject({ status: 'True', message: 'the Envoys of 1 workload run 5% (1 targeted workload decided by other settings, not compared)' });
    expect(plan.status.effective?.map((e) => e.workload)).toEqual(['reviews']);
  });

  it.each([
    { name: 'no pods match', over: { workloads: [] }, reason: 'Ineffective' },
    { name: 'no tracing provider', over: { mesh: mesh({ defaultTracingProvider: undefined }) }, reason: 'Ineffective' },
    { name: 'a more specific Telemetry decides every workload', over: { telemetries: [telemetry('shop', 'r', [{ randomSamplingPercentage: 3 }], { selector: { app: 'reviews' } })] }, reason: 'Ineffective', wholeNamespace: true },
    { name: 'a conflict blocks the write', over: { telemetries: [telemetry('shop', 'x', [], { selector: { app: 'reviews' } })] }, reason: 'NotApplied' },
  ])('is not compared when $name ($reason), and adds no event of its own', ({ over, reason, wholeNamespace }) => {
    const p = wholeNamespace === true ? policy('p', { fixed: { percentage: 10 } }) : fixed(10);
    const plan = run(p, { effective: envoys({ reviews: [[1]] }), ...over });
    expect(effective(plan)).toMatchObject({ status: 'False', reason });
    expect(plan.status.effective).toBeUndefined();
    expect(plan.events.filter((e) => e.reason === 'EffectivePending' || e.reason === 'NoProxies' || e.reason === 'Effective')).toEqual([]);
  });

  it('lists at most 50 workloads, mismatches first, and says how many were left out', () => {
    const names = Array.from({ length: 60 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const pods = Object.fromEntries(names.map((n) => [n, [[n === 'w59' ? 1 : 10]]]));
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 10 } }), { workloads: names.map(workload), effective: envoys(pods) }));
    expect(plan.status.effective).toHaveLength(MAX_EFFECTIVE_LISTED);
    expect(plan.status.effective?.[0]).toMatchObject({ workload: 'w59', matches: false });
    expect(plan.status.effectiveOmitted).toBe(10);
    expect(effective(plan)?.message).toBe('w59 runs 1% (1 pod), asked 10% (10 not listed in status.effective)');
  });

  it('names at most five workloads in the message', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const plan = reconcile(observed(policy('p', { fixed: { percentage: 10 } }), { workloads: names.map(workload), effective: envoys(Object.fromEntries(names.map((n) => [n, [[1]]]))) }));
    expect(effective(plan)?.message).toMatch(/^a runs 1% \(1 pod\), asked 10%; b .*; e runs 1% \(1 pod\), asked 10%; and 2 more$/);
  });
});

describe('reconcile: Effective over time', () => {
  const at = (minutes: number) => NOW + minutes * 60_000;

  it('moves lastTransitionTime and records events only when it turns or changes reason', () => {
    const pending = run(fixed(10), { effective: envoys({ reviews: [[1]] }) });
    const t0 = effective(pending)!.lastTransitionTime;

    const stillPending = run(fixed(10, pending.status), { nowMs: at(1), effective: envoys({ reviews: [[1], [10]] }) });
    expect(effective(stillPending)).toMatchObject({ reason: 'Pending', lastTransitionTime: t0 });
    expect(stillPending.events).toEqual([]);

    const done = run(fixed(10, stillPending.status), { nowMs: at(2), effective: envoys({ reviews: [[10], [10]] }) });
    expect(effective(done)).toMatchObject({ status: 'True', lastTransitionTime: new Date(at(2)).toISOString() });
    expect(done.events).toEqual([{ type: 'Normal', reason: 'Effective', message: 'the Envoys of 1 workload run 10%' }]);

    const steady = run(fixed(10, done.status), { nowMs: at(3), effective: envoys({ reviews: [[10], [10], [10]] }) });
    expect(effective(steady)?.lastTransitionTime).toBe(new Date(at(2)).toISOString());
    expect(steady.events).toEqual([]);

    // A new percentage: Envoys lag behind again.
    const changed = run(fixed(20, steady.status), { nowMs: at(4), effective: envoys({ reviews: [[10]] }) });
    expect(effective(changed)).toMatchObject({ reason: 'Pending', lastTransitionTime: new Date(at(4)).toISOString(), message: 'reviews runs 10% (1 pod), asked 20%' });
    expect(changed.events.map((e) => e.reason)).toEqual(['Applied', 'EffectivePending']);

    // meshtrace goes away: still False, so the time stays, and no event for it.
    const blind = run(fixed(20, changed.status), { nowMs: at(5), effective: { unavailable: 'connect ECONNREFUSED' } });
    expect(effective(blind)).toMatchObject({ reason: 'Unknown', lastTransitionTime: new Date(at(4)).toISOString() });
    expect(blind.events).toEqual([]);

    // Back, and the pods lost from meshtrace's view: a warning, once.
    const gone = run(fixed(20, blind.status), { nowMs: at(6), effective: envoys({}) });
    expect(gone.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'NoProxies' })]);
    expect(run(fixed(20, gone.status), { nowMs: at(7), effective: envoys({}) }).events).toEqual([]);
  });
});

describe('reconcile: Effective for adaptive and boost policies', () => {
  it('adaptive: expects per workload what this pass wrote for it', () => {
    const spec = { adaptive: { targetTracesPerSecond: 10, minPercentage: 0.1, maxPercentage: 50 } };
    const over = (view: EnvoyView): Partial<ObservedState> => ({
      workloads: [reviews, ratings], telemetries: [telemetry('istio-system', 'mesh', [{ randomSamplingPercentage: 10 }])],
      rates: new Map([['reviews', { role: 'originator' as const, tracesPerSecond: 40, rootCalls: 40 }], ['ratings', { role: 'service' as const, tracesPerSecond: 0, rootCalls: 0 }]]),
      effective: view,
    });
    // 40 traces/s at 10% towards 10/s: this pass writes 2.5% for reviews; ratings starts no traces, so it gets no Telemetry and is not compared.
    const pending = reconcile(observed(policy('p', spec), over(envoys({ reviews: [[10]], ratings: [[10]] }))));
    expect(pending.apply.map((t) => t.spec?.tracing?.[0]?.randomSamplingPercentage)).toEqual([2.5]);
    expect(effective(pending)).toMatchObject({ reason: 'Pending', message: 'reviews runs 10% (1 pod), asked 2.5%' });
    expect(effective(reconcile(observed(policy('p', spec), over(envoys({ reviews: [[2.5]], ratings: [[10]] })))))).toMatchObject({ status: 'True', message: 'the Envoys of 1 workload run 2.5%' });
  });

  it('adaptive without listed pods still knows its workloads: one Telemetry each', () => {
    const spec = { adaptive: { targetTracesPerSecond: 10, minPercentage: 0.1, maxPercentage: 50 } };
    const mine = telemetry('shop', 'meshtrace-p-reviews', [{ randomSamplingPercentage: 4 }], { labels: { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'p', 'meshtrace.io/workload': 'reviews' } });
    const plan = reconcile(observed(policy('p', spec), {
      workloads: undefined, telemetries: [mine], rates: new Map([['reviews', { role: 'gateway' as const, tracesPerSecond: 10, rootCalls: 0 }]]), effective: envoys({ reviews: [[4]] }),
    }));
    expect(effective(plan)).toMatchObject({ status: 'True', message: 'the Envoys of 1 workload run 4%' });
  });

  it('boost: expects the boost percentage while it runs, and the restored spec\'s once it is over', () => {
    const boost = { target: { matchLabels: { app: 'reviews' } }, boost: { percentage: 100, duration: '10m', startTime: new Date(NOW - 60_000).toISOString() } };
    expect(effective(run(policy('p', boost), { effective: envoys({ reviews: [[100]] }) }))).toMatchObject({ status: 'True', message: 'the Envoys of 1 workload run 100%' });
    const expired = policy('p', { ...boost, boost: { ...boost.boost, startTime: new Date(NOW - 3_600_000).toISOString() } },
      { annotations: { 'meshtrace.io/previous-spec': JSON.stringify({ target: boost.target, fixed: { percentage: 5 } }) } });
    const plan = run(expired, { effective: envoys({ reviews: [[100]] }) });
    expect(plan.restoreSpec).toMatchObject({ fixed: { percentage: 5 } });
    expect(effective(plan)).toMatchObject({ reason: 'Pending', message: 'reviews runs 100% (1 pod), asked 5%' });
  });
});
