import { describe, expect, it } from 'vitest';
import { claimOf, dropClaim } from './observations.js';
import type { InboundObservation, RootCall } from './observations.js';
import { resolveAndClaim, resolveRoot } from './resolve.js';

const timing = { meanDelayUs: 5000, meanTailUs: 5000 };

const window = (spanId: string, startUs: number, endUs: number, requestId?: string): InboundObservation => ({
  traceId: `t-${spanId}`, spanId, pod: 'p', workload: 'ns/a', startUs, endUs, requestId, outboundChildren: 0, claim: undefined, moreClaims: undefined,
});

const root = (spanId: string, callee: string, startUs: number, requestId?: string): RootCall => ({
  traceId: `t-${spanId}`, spanId, pod: 'p', workload: 'ns/a', callee, startUs, endUs: startUs + 1000, requestId,
  root: true, resolvedAs: undefined, parent: undefined, choiceProbability: 0,
});

/** Two windows of one pod; two calls to ns/b and one to ns/c, each resolved and claiming in time order. */
function threeCalls() {
  const early = window('early', 0, 10_000);
  const late = window('late', 100, 10_000);
  const first = root('r1', 'ns/b', 1000);
  const second = root('r2', 'ns/b', 1010);
  const other = root('r3', 'ns/c', 1020);
  for (const r of [first, second, other]) resolveAndClaim(r, [late, early], timing);
  return { early, late, first, second, other };
}

describe('resolving root calls', () => {
  it('confirms the window with the same request id, whatever the timing', () => {
    const near = window('near', 900, 5000);
    const same = window('same', 0, 20_000, 'rid-1');
    const r = resolveRoot(root('r', 'ns/b', 1000, 'rid-1'), [near, same], timing);
    expect(r).toEqual({ kind: 'confirmed', parent: same, choiceProbability: 1 });
  });

  it('is unattributed without a window of another trace', () => {
    const r = root('r', 'ns/b', 1000);
    const own = { ...window('own', 0, 5000), traceId: r.traceId };
    expect(resolveRoot(r, [own], timing)).toEqual({ kind: 'unattributed', parent: undefined, choiceProbability: 0 });
  });

  it('gives a window already explaining a call to the same service to the next call only as a last resort', () => {
    const { early, late, first, second, other } = threeCalls();
    // Both calls to ns/b start closest after `late`; the first claims it, the second goes to `early`.
    expect(first.parent).toBe(late);
    expect(second.parent).toBe(early);
    // A claim is per callee: the call to ns/c still prefers `late`.
    expect(other.parent).toBe(late);
    expect(claimOf(late, 'ns/b')).toBe(first);
    expect(claimOf(late, 'ns/c')).toBe(other);
    expect(claimOf(early, 'ns/b')).toBe(second);
    expect(claimOf(early, 'ns/c')).toBeUndefined();
    expect(first.resolvedAs).toBe('inferred');
    expect(first.choiceProbability).toBeGreaterThan(0.5);
  });

  it('frees a window when its claim is dropped, so re-resolving in time order moves calls back', () => {
    const { early, late, first, second, other } = threeCalls();
    dropClaim(first);
    expect(claimOf(late, 'ns/b')).toBeUndefined();
    expect(claimOf(late, 'ns/c')).toBe(other);
    dropClaim(second);
    resolveAndClaim(second, [late, early], timing);
    expect(second.parent).toBe(late);
    expect(claimOf(late, 'ns/b')).toBe(second);
    dropClaim(other);
    dropClaim(second);
    expect(late.claim).toBeUndefined();
    expect(late.moreClaims).toBeUndefined();
  });
});
