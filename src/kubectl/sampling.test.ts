import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Condition, SamplingPolicy, SamplingPolicyStatus } from '../controller/policy.js';
import type { PluginContext } from './context.js';
import { effectiveText, samplingGet } from './sampling.js';

const condition = (type: Condition['type'], status: boolean, reason: string): Condition =>
  ({ type, status: status ? 'True' : 'False', reason, message: '', lastTransitionTime: '2026-01-01T12:00:00Z' });

const policy = (name: string, status?: SamplingPolicyStatus): SamplingPolicy =>
  ({ metadata: { name, namespace: 'shop' }, spec: { fixed: { percentage: 10 } }, ...(status !== undefined ? { status } : {}) });

const ready = condition('Ready', true, 'Reconciled');

describe('kubectl meshtrace sampling get: the EFFECTIVE column', () => {
  it.each([
    { name: 'not reconciled by this controller version yet', status: undefined, text: '-' },
    { name: 'Envoys run what was written', status: { conditions: [ready, condition('Effective', true, 'Effective')], effective: [{ workload: 'reviews', percentages: [10], proxies: 3, expected: 10, matches: true }] }, text: '10%' },
    { name: 'Envoys still run an older value', status: { conditions: [ready, condition('Effective', false, 'Pending')], effective: [
      { workload: 'reviews', percentages: [1, 10], proxies: 3, expected: 10, matches: false },
      { workload: 'ratings', percentages: [10], proxies: 1, expected: 10, matches: true },
    ] }, text: '1%,10% (Pending)' },
    { name: 'nothing known', status: { conditions: [ready, condition('Effective', false, 'Unknown')] }, text: 'Unknown' },
    { name: 'float noise in Envoy', status: { conditions: [ready, condition('Effective', true, 'Effective')], effective: [{ workload: 'reviews', percentages: [12.500000001], proxies: 1, matches: true }] }, text: '12.5%' },
  ])('$name: $text', ({ status, text }) => {
    expect(effectiveText(policy('p', status))).toBe(text);
  });

  it('sits between PERCENTAGE and STATUS', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => { text += c.toString(); });
    const status = { percentage: '10', target: 'namespace', conditions: [ready, condition('Effective', false, 'Pending')], effective: [{ workload: 'reviews', percentages: [1], proxies: 2, expected: 10, matches: false }] };
    const ctx = { api: { listPolicies: () => Promise.resolve({ items: [policy('p', status)] }) }, namespace: 'shop', rootNamespace: 'istio-system', out } as unknown as PluginContext;
    await samplingGet(ctx, false);
    expect(text.split('\n')[0]).toMatch(/^NAME\s+TARGET\s+MODE\s+PERCENTAGE\s+EFFECTIVE\s+STATUS$/);
    expect(text.split('\n')[1]).toMatch(/^p\s+namespace\s+fixed 10%\s+10%\s+1% \(Pending\)\s+Ready$/);
  });
});
