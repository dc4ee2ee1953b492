import { describe, expect, it } from 'vitest';
import { validatePolicy } from './policy.js';
import type { SamplingPolicySpec } from './policy.js';
import { ROOT, policy } from './fixtures.test-helpers.js';

describe('validatePolicy (the checks the CRD\'s CEL rules make, for API servers without CEL)', () => {
  const cases: { name: string; spec: unknown; ns?: string; error?: RegExp }[] = [
    { name: 'fixed with decimals', spec: { fixed: { percentage: 54.54 } } },
    { name: 'adaptive with defaults', spec: { adaptive: { targetTracesPerSecond: 2 } } },
    { name: 'boost', spec: { boost: { percentage: 100, duration: '10m' } } },
    { name: 'mesh-wide in the root namespace', spec: { fixed: { percentage: 1 } }, ns: ROOT },
    { name: 'two modes', spec: { fixed: { percentage: 1 }, boost: { percentage: 100, duration: '1m' } }, error: /exactly one of fixed, adaptive or boost must be set \(found fixed, boost\)/ },
    { name: 'no mode', spec: {}, error: /exactly one/ },
    { name: 'above 100', spec: { fixed: { percentage: 150 } }, error: /spec\.fixed\.percentage: expected a number from 0 to 100, got 150/ },
    { name: 'negative', spec: { fixed: { percentage: -1 } }, error: /spec\.fixed\.percentage/ },
    { name: 'string percentage', spec: { fixed: { percentage: '10' } }, error: /spec\.fixed\.percentage/ },
    { name: 'min above max', spec: { adaptive: { targetTracesPerSecond: 1, minPercentage: 50, maxPercentage: 10 } }, error: /minPercentage 50 exceeds maxPercentage 10/ },
    { name: 'zero target rate', spec: { adaptive: { targetTracesPerSecond: 0 } }, error: /targetTracesPerSecond/ },
    { name: 'bad duration', spec: { boost: { percentage: 100, duration: 'soon' } }, error: /spec\.boost\.duration/ },
    { name: 'boost over a day', spec: { boost: { percentage: 100, duration: '25h' } }, error: /at most 24h/ },
    { name: 'bad start time', spec: { boost: { percentage: 100, duration: '1m', startTime: 'yesterday' } }, error: /startTime/ },
    { name: 'empty selector', spec: { target: { matchLabels: {} }, fixed: { percentage: 1 } }, error: /omit matchLabels/ },
    { name: 'bad label key', spec: { target: { matchLabels: { 'bad key': 'x' } }, fixed: { percentage: 1 } }, error: /not a valid label key/ },
    { name: 'bad label value', spec: { target: { matchLabels: { app: 'a b' } }, fixed: { percentage: 1 } }, error: /not a valid label value/ },
    { name: 'selector in the root namespace', spec: { target: { matchLabels: { app: 'x' } }, fixed: { percentage: 1 } }, ns: ROOT, error: /ignores selectors in the root namespace/ },
  ];
  it.each(cases)('$name', ({ spec, ns, error }) => {
    const result = validatePolicy(policy('p', spec as SamplingPolicySpec, ns ? { namespace: ns } : {}), ROOT);
    if (error === undefined) expect(result.ok).toBe(true);
    else expect(result.ok ? [] : result.errors.join('\n')).toMatch(error);
  });

  it('fills adaptive defaults', () => {
    const r = validatePolicy(policy('p', { adaptive: { targetTracesPerSecond: 2 } }), ROOT);
    expect(r.ok && r.policy.mode).toEqual({ kind: 'adaptive', targetTracesPerSecond: 2, minPercentage: 0.01, maxPercentage: 100 });
  });
});
