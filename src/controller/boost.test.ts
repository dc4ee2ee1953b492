import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boostWindow, previousSpec } from './boost.js';
import { reconcile } from './reconcile.js';
import { PREVIOUS_SPEC_ANNOTATION } from './policy.js';
import { observed, policy } from './fixtures.test-helpers.js';

const mode = { kind: 'boost' as const, percentage: 100, durationMs: 10 * 60_000, startTime: undefined };

describe('boost expiry', () => {
  beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(Date.parse('2026-01-01T12:00:00Z')); });
  afterEach(() => { vi.useRealTimers(); });

  it('starts when first seen and keeps that start across reconciles of the same generation', () => {
    const p = policy('b', { boost: { percentage: 100, duration: '10m' } });
    const first = boostWindow(mode, p, Date.now());
    expect(first.expired).toBe(false);
    vi.advanceTimersByTime(9 * 60_000);
    const seen = policy('b', p.spec, {}, { observedGeneration: 1, boost: { startedAt: new Date(first.startedAt).toISOString(), expiresAt: '', expired: false } });
    expect(boostWindow(mode, seen, Date.now()).expired).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(boostWindow(mode, seen, Date.now()).expired).toBe(true);
  });

  it('a new generation restarts the boost; an explicit startTime wins', () => {
    const stale = policy('b', {}, { generation: 2 }, { observedGeneration: 1, boost: { startedAt: '2020-01-01T00:00:00Z', expiresAt: '', expired: true } });
    expect(boostWindow(mode, stale, Date.now()).expired).toBe(false);
    expect(boostWindow({ ...mode, startTime: Date.now() - 11 * 60_000 }, stale, Date.now()).expired).toBe(true);
  });

  it('while active writes the boost percentage and asks to be woken at expiry', () => {
    const plan = reconcile(observed(policy('b', { boost: { percentage: 100, duration: '10m' } }), { nowMs: Date.now() }));
    expect(plan.apply[0]?.spec?.tracing?.[0]?.randomSamplingPercentage).toBe(100);
    expect(plan.requeueAfterMs).toBe(10 * 60_000);
    expect(plan.status.boost?.expiresAt).toBe('2026-01-01T12:10:00.000Z');
  });

  it('after expiry without a saved spec: deletes its Telemetry so the earlier setting applies again', () => {
    const spec = { boost: { percentage: 100, duration: '1m', startTime: '2026-01-01T11:00:00Z' } };
    const mine = { metadata: { namespace: 'shop', name: 'meshtrace-b', labels: { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'b' } }, spec: { tracing: [{ randomSamplingPercentage: 100 }] } };
    const plan = reconcile(observed(policy('b', spec), { nowMs: Date.now(), telemetries: [mine] }));
    expect(plan.apply).toEqual([]);
    expect(plan.delete).toEqual(['meshtrace-b']);
    expect(plan.status.boost?.expired).toBe(true);
    expect(plan.events.map((e) => e.reason)).toContain('BoostExpired');
  });

  it('after expiry with a saved spec: restores it and rewrites the same Telemetry in place', () => {
    const spec = { boost: { percentage: 100, duration: '1m', startTime: '2026-01-01T11:00:00Z' } };
    const p = policy('b', spec, { annotations: { [PREVIOUS_SPEC_ANNOTATION]: JSON.stringify({ fixed: { percentage: 5 } }) } });
    const plan = reconcile(observed(p, { nowMs: Date.now() }));
    expect(plan.restoreSpec).toEqual({ fixed: { percentage: 5 } });
    expect(plan.apply.map((t) => [t.metadata.name, t.spec?.tracing?.[0]?.randomSamplingPercentage])).toEqual([['meshtrace-b', 5]]);
    expect(plan.delete).toEqual([]);
  });

  it('refuses a saved spec that is not JSON or is itself a boost', () => {
    expect(previousSpec(policy('b', {}, { annotations: { [PREVIOUS_SPEC_ANNOTATION]: '{' } })).problem).toMatch(/not JSON/);
    expect(previousSpec(policy('b', {}, { annotations: { [PREVIOUS_SPEC_ANNOTATION]: '{"boost":{}}' } })).problem).toMatch(/non-boost/);
  });
});
