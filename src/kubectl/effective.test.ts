import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resolution } from '../controller/precedence.js';
import { proxyTracing, readConfigDump } from '../xds/index.js';
import type { ProxyTracing } from '../xds/index.js';
import { formatEffective } from './effective.js';

const dump = (file: string): ProxyTracing => {
  const r = readConfigDump(JSON.parse(readFileSync(join(process.cwd(), 'test', 'xds', 'fixtures', file), 'utf8')), file);
  if (!r.ok) throw new Error(r.error);
  return proxyTracing(r.value);
};

const intended = (percentage: number, tracingEnabled = true): Resolution =>
  ({ percentage, decidedBy: 'Telemetry default/reviews', server: {}, client: {}, provider: 'zipkin', tracingEnabled, chain: [], warnings: [] }) as unknown as Resolution;

describe('formatEffective', () => {
  const envoy = dump('sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json');
  const running = envoy.sides.inbound!.percentages;

  it('reads the inbound rate and provider the pod\'s Envoy runs', () => {
    expect(running.length).toBe(1);
    expect(formatEffective(intended(running[0]!), envoy, false)[0]).toMatch(new RegExp(`^Effective: ${running[0]}% in the pod's Envoy \\(inbound listeners\\), provider zipkin`));
  });

  it('says there is no drift when Envoy runs the intended rate', () => {
    expect(formatEffective(intended(running[0]!), envoy, false)).toContain('Drift:     none: Envoy runs what is intended');
  });

  it('names the drift when Envoy runs another rate', () => {
    const asked = running[0]! === 25 ? 30 : 25;
    const drift = formatEffective(intended(asked), envoy, false).find((l) => l.startsWith('Drift:'))!;
    expect(drift).toContain(`intended ${asked}% but Envoy runs ${running[0]}%`);
    expect(drift).toContain('pod restart');
  });

  it('says why when the Envoy config could not be read', () => {
    expect(formatEffective(intended(1), 'not allowed to read the pod\'s Envoy admin port (needs pods/proxy get)', false))
      .toEqual(['Effective: unknown: not allowed to read the pod\'s Envoy admin port (needs pods/proxy get)']);
  });
});
