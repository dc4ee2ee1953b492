import { describe, expect, it } from 'vitest';
import type { SamplingPolicy } from './policy.js';
import { policyChange, selectorsCanOverlap, telemetryChange } from './triggers.js';
import { policy, telemetry } from './fixtures.test-helpers.js';

const target = (app: string) => ({ target: { matchLabels: { app } }, fixed: { percentage: 5 } });
const reviews = policy('reviews', target('reviews'));
const ratings = policy('ratings', target('ratings'));
const namespaceWide = policy('everything', { fixed: { percentage: 1 } });
const others = [reviews, ratings, namespaceWide];
const picked = (affects: (p: SamplingPolicy) => boolean) => others.filter(affects).map((p) => p.metadata.name);
const ours = (policyName: string, selector?: Record<string, string>) => telemetry('shop', `meshtrace-${policyName}`, [{ randomSamplingPercentage: 5 }],
  { labels: { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': policyName }, ...(selector ? { selector } : {}) });

describe('selectorsCanOverlap', () => {
  type Labels = Record<string, string> | undefined;
  it.each<{ a: Labels; b: Labels; overlap: boolean }>([
    { a: { app: 'a' }, b: { app: 'a' }, overlap: true },
    { a: { app: 'a' }, b: { app: 'b' }, overlap: false },
    { a: { app: 'a' }, b: { version: 'v1' }, overlap: true },
    { a: { app: 'a', version: 'v1' }, b: { app: 'a', version: 'v2' }, overlap: false },
    { a: undefined, b: { app: 'b' }, overlap: true },
  ])('$a and $b → $overlap', ({ a, b, overlap }) => {
    expect(selectorsCanOverlap(a, b)).toBe(overlap);
    expect(selectorsCanOverlap(b, a)).toBe(overlap);
  });
});

describe('policyChange: which reconciles a policy change needs', () => {
  it('a status write (ours, usually) needs none', () => {
    const after = { ...reviews, metadata: { ...reviews.metadata, resourceVersion: '2' }, status: { percentage: '5' } };
    const affected = policyChange('MODIFIED', after, { ...reviews, metadata: { ...reviews.metadata, resourceVersion: '1' } });
    expect(affected.own).toBe(false);
    expect(picked(affected.others)).toEqual([]);
  });

  it('a spec edit reconciles the policy; the others only when its target changes, those at the old and new target', () => {
    const edited = policy('reviews', { ...target('reviews'), fixed: { percentage: 9 } }, { generation: 2 });
    expect(policyChange('MODIFIED', edited, reviews)).toMatchObject({ own: true });
    expect(picked(policyChange('MODIFIED', edited, reviews).others)).toEqual([]);
    const retargeted = policy('p', target('ratings'), { generation: 2 });
    expect(picked(policyChange('MODIFIED', retargeted, policy('p', target('reviews'))).others)).toEqual(['reviews', 'ratings']);
  });

  it('the saved spec of a boost, a finalizer or a deletion starting count as changes to act on', () => {
    const annotated = policy('reviews', target('reviews'), { annotations: { 'meshtrace.io/previous-spec': '{}' } });
    expect(policyChange('MODIFIED', annotated, reviews).own).toBe(true);
    const deleting = policy('reviews', target('reviews'), { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(policyChange('MODIFIED', deleting, reviews).own).toBe(true);
    expect(picked(policyChange('MODIFIED', deleting, reviews).others)).toEqual([]);
  });

  it('a new or deleted policy reconciles itself and the others at the same scope', () => {
    const twin = policy('twin', target('reviews'));
    expect(policyChange('ADDED', twin, undefined).own).toBe(true);
    expect(picked(policyChange('ADDED', twin, undefined).others)).toEqual(['reviews']);
    expect(policyChange('DELETED', twin, twin).own).toBe(true);
    expect(picked(policyChange('DELETED', policy('wide', { fixed: { percentage: 1 } }), undefined).others)).toEqual(['everything']);
  });
});

describe('telemetryChange: which reconciles a Telemetry change needs', () => {
  it('a Telemetry with a selector concerns the policies whose pods it may select', () => {
    const affected = telemetryChange('ADDED', telemetry('shop', 'team', [{ randomSamplingPercentage: 1 }], { selector: { app: 'reviews' } }), undefined);
    expect(affected).toMatchObject({ owner: undefined, own: false });
    expect(picked(affected.others)).toEqual(['reviews', 'everything']);
  });

  it('a namespace-wide Telemetry concerns every policy of the namespace', () => {
    expect(picked(telemetryChange('ADDED', telemetry('shop', 'team', [{ randomSamplingPercentage: 1 }]), undefined).others)).toEqual(['reviews', 'ratings', 'everything']);
  });

  it('one the controller wrote concerns its policy, and not again as one of the others', () => {
    const affected = telemetryChange('ADDED', ours('ratings', { app: 'ratings' }), undefined);
    expect(affected).toMatchObject({ owner: 'ratings', own: true });
    expect(picked(affected.others)).toEqual(['everything']);
  });

  it('a change of selector concerns the policies at the old and at the new one', () => {
    const before = telemetry('shop', 'team', [{ randomSamplingPercentage: 1 }], { selector: { app: 'reviews' } });
    const after = telemetry('shop', 'team', [{ randomSamplingPercentage: 1 }], { selector: { app: 'ratings' } });
    expect(picked(telemetryChange('MODIFIED', after, before).others)).toEqual(['reviews', 'ratings', 'everything']);
  });

  it('a change of nothing sampling reads (only its version) concerns no one', () => {
    const before = ours('reviews', { app: 'reviews' });
    const after = { ...before, metadata: { ...before.metadata, resourceVersion: '7' } };
    const affected = telemetryChange('MODIFIED', after, before);
    expect(affected.own).toBe(false);
    expect(picked(affected.others)).toEqual([]);
  });

  it('a Telemetry named like one a policy would write concerns that policy even with a disjoint selector', () => {
    const squatter = telemetry('shop', 'meshtrace-ratings', [{ randomSamplingPercentage: 1 }], { selector: { app: 'elsewhere' } });
    expect(picked(telemetryChange('ADDED', squatter, undefined).others)).toEqual(['ratings', 'everything']);
  });
});
