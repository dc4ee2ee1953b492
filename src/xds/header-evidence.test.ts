import { describe, expect, it } from 'vitest';
import { inbound, outbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import { isSharedTagKey } from '../model/index.js';
import type { Span } from '../model/index.js';
import { HEADER_TAGS, b3SingleVerdict, b3TraceIdVerdict, classifySpan, traceparentVerdict } from './header-evidence.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const ids = { traceId: TRACE, id: SPAN };
const OTHER_TRACE = 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb';
const APP_SPAN = '1111111111111111';

/** A sidecar outbound CLIENT span of web/cart with these own tags. */
function client(tags: Record<string, string>, parentId: string | undefined = undefined, traceId = TRACE): Span {
  const s = outbound({ workload: 'cart', namespace: 'web' }, 'checkout', { traceId, id: SPAN, ...(parentId === undefined ? {} : { parentId }), startMs: 0, durationMs: 5 });
  return { ...s, ownTags: ['guid:x-request-id', 'r-1', ...Object.entries(tags).flat()] };
}

describe('traceparent', () => {
  it('is no evidence when it is what Envoy injected (the span\'s own trace and span id)', () => {
    expect(traceparentVerdict(`00-${TRACE}-${SPAN}-01`, ids)).toBe('injected');
    expect(traceparentVerdict(`00-${TRACE.toUpperCase()}-${SPAN.toUpperCase()}-01`, ids)).toBe('injected');
  });

  it('is evidence of the app when its trace differs (ignored) or it names the trace with the app\'s span (agreeing)', () => {
    expect(traceparentVerdict(`00-${OTHER_TRACE}-${APP_SPAN}-01`, ids)).toBe('ignored');
    expect(traceparentVerdict(`00-${TRACE}-${APP_SPAN}-00`, ids)).toBe('agreeing');
    // A later version may append fields after a dash.
    expect(traceparentVerdict(`01-${OTHER_TRACE}-${APP_SPAN}-01-extra`, ids)).toBe('ignored');
  });

  it('ignores malformed values', () => {
    for (const bad of [
      '', '-', 'none', `00-${OTHER_TRACE}-${APP_SPAN}`, `00-${OTHER_TRACE}-${APP_SPAN}-01-extra`, `ff-${OTHER_TRACE}-${APP_SPAN}-01`,
      `00-${'0'.repeat(32)}-${APP_SPAN}-01`, `00-${OTHER_TRACE}-${'0'.repeat(16)}-01`, `00-${OTHER_TRACE.slice(1)}x-${APP_SPAN}-01`,
      `00_${OTHER_TRACE}-${APP_SPAN}-01`, `00-${OTHER_TRACE}-${APP_SPAN}-0g`, `00-${OTHER_TRACE}-${APP_SPAN}-01,00-${TRACE}-${APP_SPAN}-01`,
      `01-${OTHER_TRACE}-${APP_SPAN}-01x`, `zz-${OTHER_TRACE}-${APP_SPAN}-01`,
    ]) expect(traceparentVerdict(bad, ids), bad).toBe('unusable');
  });
});

describe('B3', () => {
  it('left-pads 64-bit trace ids as the span model does', () => {
    const padded = { traceId: '0000000000000000' + 'a3ce929d0e0e4736', id: SPAN };
    expect(b3TraceIdVerdict('a3ce929d0e0e4736', padded)).toBe('agreeing');
    expect(b3TraceIdVerdict('A3CE929D0E0E4736', padded)).toBe('agreeing');
    expect(b3SingleVerdict(`a3ce929d0e0e4736-${APP_SPAN}-1`, padded)).toBe('agreeing');
    // The low half of a 128-bit trace is another trace.
    expect(b3TraceIdVerdict('a3ce929d0e0e4736', ids)).toBe('ignored');
    expect(b3TraceIdVerdict(TRACE, ids)).toBe('agreeing');
  });

  it('tells Envoy\'s own single header from the app\'s', () => {
    expect(b3SingleVerdict(`${TRACE}-${SPAN}-1-${APP_SPAN}`, ids)).toBe('injected');
    expect(b3SingleVerdict(`${OTHER_TRACE}-${APP_SPAN}-1`, ids)).toBe('ignored');
    expect(b3SingleVerdict(`${OTHER_TRACE}-${APP_SPAN}`, ids)).toBe('ignored');
    expect(b3SingleVerdict(`${TRACE}-${APP_SPAN}-d`, ids)).toBe('agreeing');
  });

  it('ignores malformed values and sampling-only single headers', () => {
    for (const bad of ['', '0', '1', 'd', '-', `${OTHER_TRACE}-`, `${OTHER_TRACE}-${APP_SPAN}x`, `abc-${APP_SPAN}`, `${'0'.repeat(32)}-${APP_SPAN}`, `${OTHER_TRACE}-${'0'.repeat(16)}`]) {
      expect(b3SingleVerdict(bad, ids), bad).toBe('unusable');
    }
    for (const bad of ['', '-', 'abc', '0'.repeat(16), '0'.repeat(32), OTHER_TRACE + '0', OTHER_TRACE.replace('a', 'x'), `${OTHER_TRACE},${OTHER_TRACE}`]) {
      expect(b3TraceIdVerdict(bad, ids), bad).toBe('unusable');
    }
  });
});

describe('classifySpan', () => {
  it('reads only sidecar outbound CLIENT spans, and only their header tags', () => {
    const tp = `00-${OTHER_TRACE}-${APP_SPAN}-01`;
    expect(classifySpan(client({}))).toBeUndefined();
    expect(classifySpan(client({ 'x-request-id': 'abc', 'http.url': 'http://x/' }))).toBeUndefined();
    const server = inbound({ workload: 'cart', namespace: 'web' }, { traceId: TRACE, id: SPAN, startMs: 0, durationMs: 1 });
    expect(classifySpan({ ...server, ownTags: ['traceparent', tp] })).toBeUndefined();
    const gateway = outbound({ workload: 'gw', gateway: true }, 'cart', { traceId: TRACE, id: SPAN, startMs: 0, durationMs: 1 });
    expect(classifySpan({ ...gateway, ownTags: ['traceparent', tp] })).toBeUndefined();
    expect(classifySpan({ ...client({ traceparent: tp }), mesh: undefined })).toBeUndefined();
    expect(classifySpan(client({ traceparent: tp }))).toEqual({ traceparent: 'ignored', b3: undefined, root: true });
    expect(classifySpan(client({ traceparent: `00-${TRACE}-${APP_SPAN}-01` }, sid(7)))).toEqual({ traceparent: 'agreeing', b3: undefined, root: false });
  });

  it('under a Zipkin proxy: Envoy\'s B3 is no evidence, the app\'s foreign traceparent is', () => {
    // What a Zipkin sidecar records for an app that forwarded only W3C context: a new root trace,
    // its own B3 injection, the app's traceparent untouched.
    const s = client({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, traceparent: `00-${OTHER_TRACE}-${APP_SPAN}-01` });
    expect(classifySpan(s)).toEqual({ traceparent: 'ignored', b3: 'agreeing', root: true });
  });

  it('under an OpenTelemetry proxy: Envoy\'s traceparent is no evidence, the app\'s foreign B3 is', () => {
    const s = client({ traceparent: `00-${TRACE}-${SPAN}-01`, 'x-b3-traceid': OTHER_TRACE });
    expect(classifySpan(s)).toEqual({ traceparent: 'injected', b3: 'ignored', root: true });
  });

  it('takes the single b3 header first, and x-b3-traceid when b3 carries no context', () => {
    expect(classifySpan(client({ b3: `${OTHER_TRACE}-${APP_SPAN}-1`, 'x-b3-traceid': TRACE }))!.b3).toBe('ignored');
    expect(classifySpan(client({ b3: '1', 'x-b3-traceid': OTHER_TRACE }))!.b3).toBe('ignored');
    expect(classifySpan(client({ b3: '1' }))!.b3).toBe('unusable');
    expect(classifySpan(client({ 'x-b3-traceid': '0000000000000000' }, undefined, tid(5)))!.b3).toBe('unusable');
  });

  it('relies on header tags never being packed into the shared group', () => {
    for (const key of Object.values(HEADER_TAGS)) expect(isSharedTagKey(key)).toBe(false);
  });
});
