import { describe, expect, it } from 'vitest';
import { outbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import type { Span } from '../model/index.js';
import { HeaderTally } from './header-tally.js';

const MINUTE = 60_000;
const APP_SPAN = '1111111111111111';

let n = 0;
/** An outbound CLIENT span of `namespace/workload` carrying the app's traceparent, foreign to the span unless `agree`. */
function call(workload: string, opts: { agree?: boolean; parent?: boolean; namespace?: string; tags?: string[] } = {}): Span {
  const traceId = tid(++n);
  const s = outbound({ workload, namespace: opts.namespace ?? 'web' }, 'checkout', { traceId, id: sid(n), ...(opts.parent === true ? { parentId: sid(1e6 + n) } : {}), startMs: 0, durationMs: 1 });
  const header = `00-${opts.agree === true ? traceId : tid(1e9 + n)}-${APP_SPAN}-01`;
  return { ...s, ownTags: opts.tags ?? ['traceparent', header] };
}

function clock(startMs = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

describe('HeaderTally', () => {
  it('counts ignored, ignored-on-root and agreeing headers per family and workload', () => {
    const c = clock();
    const tally = new HeaderTally({ now: c.now });
    tally.observe([call('cart'), call('cart'), call('cart', { parent: true }), call('cart', { agree: true, parent: true }), call('frontend')]);
    tally.observe([call('cart', { tags: ['x-b3-traceid', tid(424242)] })]);
    expect(tally.evidence('web/cart')).toEqual({
      traceparent: { ignored: 3, ignoredOnRoots: 2, agreeing: 1 },
      b3: { ignored: 1, ignoredOnRoots: 1, agreeing: 0 },
    });
    expect(tally.evidence('web/frontend')?.traceparent).toEqual({ ignored: 1, ignoredOnRoots: 1, agreeing: 0 });
    expect(tally.evidence('web/nothing')).toBeUndefined();
    expect(tally.stats()).toEqual({ workloads: 2, spansWithHeaders: 6, evicted: 0 });
  });

  it('does not count spans without evidence: no tags, malformed values, Envoy\'s own injection', () => {
    const tally = new HeaderTally({ now: clock().now });
    const injected = call('cart');
    const own = { ...injected, ownTags: ['traceparent', `00-${injected.traceId}-${injected.id}-01`] };
    tally.observe([call('cart', { tags: [] }), call('cart', { tags: ['traceparent', 'garbage'] }), own, { ...call('cart'), kind: 'SERVER' as const }]);
    expect(tally.evidence('web/cart')).toBeUndefined();
    expect(tally.stats()).toMatchObject({ workloads: 0, spansWithHeaders: 2 });
  });

  it('keeps the last window of one-minute buckets', () => {
    const c = clock(1_700_000_000_000 - (1_700_000_000_000 % MINUTE));
    const tally = new HeaderTally({ now: c.now, windowMinutes: 3 });
    tally.observe([call('cart')]);
    c.advance(MINUTE);
    tally.observe([call('cart'), call('cart')]);
    c.advance(MINUTE);
    expect(tally.evidence('web/cart')?.traceparent.ignored).toBe(3);
    c.advance(MINUTE); // the first minute leaves the window
    expect(tally.evidence('web/cart')?.traceparent.ignored).toBe(2);
    tally.observe([call('cart', { agree: true })]); // reuses the first minute's ring slot, cleared
    expect(tally.evidence('web/cart')?.traceparent).toEqual({ ignored: 2, ignoredOnRoots: 2, agreeing: 1 });
    c.advance(3 * MINUTE);
    expect(tally.evidence('web/cart')).toBeUndefined();
    // A long gap: every slot is stale, the new count stands alone.
    c.advance(10 * MINUTE);
    tally.observe([call('cart', { parent: true })]);
    expect(tally.evidence('web/cart')?.traceparent).toEqual({ ignored: 1, ignoredOnRoots: 0, agreeing: 0 });
  });

  it('drops counts from a clock that steps back rather than mixing minutes', () => {
    const c = clock();
    const tally = new HeaderTally({ now: c.now });
    tally.observe([call('cart')]);
    c.advance(-2 * MINUTE);
    tally.observe([call('cart')]);
    c.advance(2 * MINUTE);
    expect(tally.evidence('web/cart')?.traceparent.ignored).toBe(1);
  });

  it('holds at most maxWorkloads, evicting the least recently counted and counting it', () => {
    const c = clock();
    const tally = new HeaderTally({ now: c.now, maxWorkloads: 2, windowMinutes: 5 });
    tally.observe([call('a'), call('b')]);
    c.advance(MINUTE);
    tally.observe([call('a')]); // a is now more recent than b
    tally.observe([call('c')]);
    expect(tally.evidence('web/b')).toBeUndefined();
    expect(tally.evidence('web/a')?.traceparent.ignored).toBe(2);
    expect(tally.evidence('web/c')?.traceparent.ignored).toBe(1);
    expect(tally.stats()).toMatchObject({ workloads: 2, evicted: 1 });
    // A workload whose counts all expired makes room without counting as an eviction.
    c.advance(10 * MINUTE);
    tally.observe([call('d')]);
    expect(tally.stats()).toMatchObject({ workloads: 2, evicted: 1 });
  });

  it('prunes workloads with nothing left in the window', () => {
    const c = clock();
    const tally = new HeaderTally({ now: c.now, windowMinutes: 2 });
    tally.observe([call('a')]);
    c.advance(MINUTE);
    tally.observe([call('b')]);
    c.advance(MINUTE);
    tally.prune();
    expect(tally.stats().workloads).toBe(1);
    expect(tally.evidence('web/b')).toBeDefined();
    c.advance(MINUTE);
    tally.prune();
    expect(tally.stats().workloads).toBe(0);
  });

  it('keys workloads by namespace and skips sidecars without a workload', () => {
    const tally = new HeaderTally({ now: clock().now });
    const anonymous = call('cart');
    tally.observe([call('cart', { namespace: 'shop' }), { ...anonymous, mesh: { ...anonymous.mesh!, workload: undefined } }]);
    expect(tally.evidence('shop/cart')?.traceparent.ignored).toBe(1);
    expect(tally.stats().workloads).toBe(1);
  });
});
