import { describe, expect, it } from 'vitest';
import { inbound, outbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import type { Span } from '../model/index.js';
import { PropagationAuditor } from './auditor.js';
import { sameRequest, sameTrace } from './held-ids.js';
import { observeTrace } from './observations.js';
import type { InboundObservation, RootCall } from './observations.js';

const front = { workload: 'frontend' };

/** A request to frontend and frontend's call to backend that started a trace of its own, with the given ids. */
function pair(ids: { traceId?: string; spanId?: string; requestId?: string | undefined }): { window: InboundObservation; root: RootCall } {
  const request: Span = { ...inbound(front, { traceId: tid(1), id: sid(1), startMs: 0, durationMs: 10 }), ...stripUndefined(ids) };
  const call: Span = { ...outbound(front, 'backend', { traceId: tid(2), id: sid(2), startMs: 1, durationMs: 5 }), ...stripUndefined(ids) };
  const obs = observeTrace([request, call]);
  return { window: obs.inbound[0]!, root: obs.outbound[0] as RootCall };
}

function stripUndefined(ids: { traceId?: string; spanId?: string; requestId?: string | undefined }): Partial<Span> {
  const out: Record<string, string | undefined> = {};
  if (ids.traceId !== undefined) out['traceId'] = ids.traceId;
  if (ids.spanId !== undefined) out['id'] = ids.spanId;
  if ('requestId' in ids) out['requestId'] = ids.requestId;
  return out;
}

describe('held ids', () => {
  it.each(['0000000000000001', 'ffffffffffffffff', '8000000000000000', '7fffffff80000000', '0123456789abcdef', 'ABC', 'not-hex-at-all!!'])(
    'give back span id %s exactly', (spanId) => {
      const { window, root } = pair({ spanId });
      expect(window.spanId).toBe(spanId);
      expect(root.spanId).toBe(spanId);
    });

  it.each(['00000000000000000000000000000001', 'ffffffffffffffffffffffffffffffff', '80000000000000007fffffff01234567', 'abc', 'A'.repeat(32)])(
    'give back trace id %s exactly', (traceId) => {
      const { window, root } = pair({ traceId });
      expect(window.traceId).toBe(traceId);
      expect(root.traceId).toBe(traceId);
    });

  it.each(['0f1e2d3c-4b5a-9687-a9b8-c7d6e5f40312', 'ffffffff-ffff-4fff-bfff-ffffffffffff', '0F1E2D3C-4B5A-9687-A9B8-C7D6E5F40312', 'my-own-request-1', undefined])(
    'give back request id %s exactly', (requestId) => {
      const { window, root } = pair({ requestId });
      expect(window.requestId).toBe(requestId);
      expect(root.requestId).toBe(requestId);
    });

  it('hold canonical ids as small integers, not as the span\'s strings', () => {
    const { window, root } = pair({ traceId: 'f'.repeat(32), spanId: 'fedcba9876543210', requestId: 'ffffffff-ffff-9fff-bfff-ffffffffffff' });
    for (const o of [window, root]) {
      const words = Object.entries(o).filter(([k]) => /^(span|trace|request)\d$/.test(k)).map(([, v]) => v as unknown);
      expect(words).toHaveLength(10);
      expect(words.every((v) => typeof v === 'number' && v === (v | 0))).toBe(true);
      expect(Object.keys(o).filter((k) => ['spanId', 'traceId', 'requestId'].includes(k))).toEqual([]);
    }
  });

  it('compare held and plain observations by what the ids say', () => {
    const uuid = '0f1e2d3c-4b5a-9687-a9b8-c7d6e5f40312';
    const a = pair({ traceId: tid(7), requestId: uuid }).window;
    const b = pair({ traceId: tid(7), requestId: uuid }).root;
    const c = pair({ traceId: tid(8), requestId: uuid.replace('0f', '1f') }).window;
    expect(sameTrace(a, b)).toBe(true);
    expect(sameTrace(a, c)).toBe(false);
    expect(sameRequest(a, b)).toBe(true);
    expect(sameRequest(a, c)).toBe(false);
    expect(sameTrace(a, { traceId: tid(7) })).toBe(true);
    expect(sameRequest(a, { requestId: uuid })).toBe(true);
    const none = pair({ requestId: undefined });
    expect(sameRequest(none.window, none.root)).toBe(false);
    const own = pair({ requestId: 'mine' });
    expect(sameRequest(own.window, own.root)).toBe(true);
  });
});

describe('request ids held as words', () => {
  /** The sampling facts the audit gathers from frontend's requests with these ids. */
  function samplingFacts(requestIds: string[]): { values: number; max: number; nonUuid: number } {
    const auditor = new PropagationAuditor();
    requestIds.forEach((requestId, i) => {
      auditor.observe([{ ...inbound(front, { traceId: tid(i + 1), id: sid(i + 1), startMs: i, durationMs: 1 }), requestId }]);
    });
    const f = auditor.workloads.get('default/frontend')!;
    return { values: f.samplingValues, max: f.samplingValueMax, nonUuid: f.nonUuidRequestIds };
  }

  it('give Envoy\'s sampling value as the text does, lowercase or not', () => {
    // 0x0000ffff % 10000 = 5535; the version digit 9 marks a sampled request.
    expect(samplingFacts(['0000ffff-0000-9000-8000-000000000000'])).toEqual({ values: 1, max: 5535, nonUuid: 0 });
    expect(samplingFacts(['0000FFFF-0000-9000-8000-000000000000'])).toEqual({ values: 1, max: 5535, nonUuid: 0 });
    expect(samplingFacts(['ffffffff-0000-9000-8000-000000000000'])).toEqual({ values: 1, max: 4294967295 % 10_000, nonUuid: 0 });
    expect(samplingFacts(['0000ffff-0000-4000-8000-000000000000'])).toEqual({ values: 0, max: expect.any(Number) as number, nonUuid: 0 });
    expect(samplingFacts(['not-a-uuid'])).toMatchObject({ values: 0, nonUuid: 1 });
  });
});
