import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { xdsCommand } from '../../src/xds/cli.js';

const FIX = join(import.meta.dirname, 'fixtures');
const fixture = (name: string): string => join(FIX, name);

function capture(): { out: { write(s: string): boolean }; text: () => string } {
  let buf = '';
  return { out: { write: (s: string) => { buf += s; return true; } }, text: () => buf };
}

const GOOD = [
  'sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json', 'sidecar-otel-sampling-unset.json',
  'sidecar-client-tracing-off.json', 'sidecar-otel-sampler.json', 'sidecar-zipkin-w3c.json', 'gateway-zipkin.json', 'legacy-v2-layout.json',
  'sidecar-camel-case.json',
];

describe('meshtrace xds inspect', () => {
  it('prints per-workload effective tracing and drift from Telemetry + mesh config', async () => {
    const out = capture();
    const err = capture();
    const code = await xdsCommand(['inspect', '--telemetry', fixture('telemetry.yaml'), '--mesh-config', fixture('mesh-config.yaml'), ...GOOD.map(fixture)], out.out, err.out);
    if (process.env['XDS_PRINT'] === '1') process.stderr.write(out.text() + err.text());
    expect(err.text()).toBe('');
    expect(code).toBe(0);
    expect(out.text()).toContain('default/reviews');
    expect(out.text()).toContain('stale-proxy');
  });

  it('exits 1 with a clear message on a truncated dump, and 2 on usage errors', async () => {
    const err = capture();
    expect(await xdsCommand(['inspect', fixture('bad-truncated.json')], capture().out, err.out)).toBe(1);
    expect(err.text()).toMatch(/bad-truncated\.json: not JSON/);
    expect(await xdsCommand(['inspect'], capture().out, capture().out)).toBe(2);
    expect(await xdsCommand(['frobnicate'], capture().out, capture().out)).toBe(2);
    expect(await xdsCommand(['inspect', '--max-dump-mib', '0', fixture('gateway-zipkin.json')], capture().out, capture().out)).toBe(2);
  });

  it('refuses a dump over the size limit before reading it', async () => {
    const err = capture();
    expect(await xdsCommand(['inspect', '--max-dump-mib', '0.01', fixture('gateway-zipkin.json')], capture().out, err.out)).toBe(1);
    expect(err.text()).toMatch(/over the 0\.0 MiB limit/);
  });

  it('prints JSON with --json', async () => {
    const out = capture();
    expect(await xdsCommand(['inspect', '--json', fixture('gateway-zipkin.json')], out.out, capture().out)).toBe(0);
    const body = JSON.parse(out.text());
    expect(body.workloads[0].key).toBe('istio-system/istio-ingressgateway');
  });
});
