import { describe, expect, it } from 'vitest';
import { PodTimeline } from './pod-timeline.js';
import type { InboundObservation, OutboundObservation } from './observations.js';

describe('PodTimeline', () => {
  const window = (startUs: number, endUs: number): InboundObservation =>
    ({ startUs, endUs, spanId: `s${startUs}`, traceId: 't', workload: 'ns/w', pod: 'p', requestId: undefined, outboundChildren: 0 });

  it('finds windows and prunes correctly after out-of-order appends', () => {
    const t = new PodTimeline('p');
    for (const s of [100, 300, 200]) t.addInbound(window(s, s + 50));
    expect(t.windowsAt(220, 0).map((o) => o.startUs)).toEqual([200]);
    for (const s of [50, 400]) t.addInbound(window(s, s + 500));
    expect(t.windowsAt(320, 0).map((o) => o.startUs)).toEqual([300, 50]);
    t.prune(150);
    expect(t.inboundBetween(0, 1000).map((o) => o.startUs)).toEqual([200, 300, 400]);
    t.addInbound(window(160, 170));
    expect(t.inboundBetween(0, 1000).map((o) => o.startUs)).toEqual([160, 200, 300, 400]);
  });

  const call = (startUs: number, spanId: string, callee = 'ns/db'): OutboundObservation => ({
    traceId: `root-${spanId}`, spanId, pod: 'p', workload: 'ns/w', callee, startUs, endUs: startUs + 5,
    requestId: undefined, root: true, delayUs: undefined, tailUs: undefined,
  });
  const timing = (): { meanDelayUs: number; meanTailUs: number } => ({ meanDelayUs: 1000, meanTailUs: 1000 });
  const parents = (t: PodTimeline): (string | undefined)[] => t.rootsBetween(0, 10_000).map((r) => r.resolution?.parent?.spanId);

  it('resolves new roots, and again when a window arrives over them', () => {
    const t = new PodTimeline('p');
    t.addRoot(call(120, 'c1'));
    t.resolvePending(timing, 0);
    expect(t.rootsBetween(0, 10_000)).toMatchObject([{ call: { spanId: 'c1', startUs: 120, endUs: 125, root: true }, resolution: { kind: 'unattributed' } }]);
    t.addInbound(window(100, 200));
    t.resolvePending(timing, 0);
    expect(t.rootsBetween(0, 10_000)).toMatchObject([{ resolution: { kind: 'inferred', parent: { traceId: 't', spanId: 's100' }, choiceProbability: 1 } }]);
  });

  it('gives a second call to the same service the other open request when one is claimed', () => {
    const t = new PodTimeline('p');
    t.addInbound(window(100, 300));
    t.addInbound(window(110, 300));
    // Added out of order: the earlier call is resolved (and claims its window) first.
    t.addRoot(call(160, 'late'));
    t.addRoot(call(150, 'early'));
    t.resolvePending(timing, 0);
    expect(parents(t)).toEqual(['s110', 's100']);
    expect(t.claimCount).toBe(2);
    // Pruning the roots drops their claims.
    t.prune(200);
    expect(t.rootsBetween(0, 10_000)).toEqual([]);
    expect(t.claimCount).toBe(0);
    expect(t.empty).toBe(true);
  });

  it('keeps earlier answers outside the range new windows reach', () => {
    const t = new PodTimeline('p');
    t.addInbound(window(100, 200));
    t.addRoot(call(150, 'a'));
    t.resolvePending(timing, 0);
    const before = t.rootsBetween(0, 10_000)[0]!;
    t.addInbound(window(5000, 5100));
    t.addRoot(call(5050, 'b'));
    t.resolvePending(timing, 0);
    const [a, b] = t.rootsBetween(0, 10_000);
    expect(a).toEqual(before);
    expect(b!.resolution?.parent?.spanId).toBe('s5000');
    expect(a!.seq).not.toBe(b!.seq);
  });
});
