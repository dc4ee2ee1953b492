import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('reads the istio ConfigMap, List-wrapped resources and SamplingPolicies, and resolves with the mesh\'s root namespace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshtrace-xds-cli-'));
    const meshConfig = join(dir, 'istio-configmap.yaml');
    writeFileSync(meshConfig, [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: istio, namespace: mesh-root}', 'data:', '  mesh: |',
      '    rootNamespace: mesh-root', '    defaultProviders: {tracing: [meshtrace-zipkin]}', '    extensionProviders:',
      '      - name: meshtrace-zipkin', '        zipkin: {service: z, port: 9411}', '      - zipkin: {service: nameless, port: 9411}', '',
    ].join('\n'));
    const resources = join(dir, 'resources.yaml');
    writeFileSync(resources, [
      'apiVersion: v1', 'kind: List', 'items:',
      '  - {apiVersion: telemetry.istio.io/v1, kind: Telemetry, metadata: {name: mesh, namespace: mesh-root}, spec: {tracing: [{randomSamplingPercentage: 5}]}}',
      '  - {apiVersion: telemetry.istio.io/v1, kind: Telemetry, metadata: {name: not-root, namespace: istio-system}, spec: {tracing: [{randomSamplingPercentage: 50}]}}',
      '  - {apiVersion: meshtrace.io/v1alpha1, kind: SamplingPolicy, metadata: {name: mesh, namespace: mesh-root}, spec: {fixed: {percentage: 5}}}', '',
    ].join('\n'));
    const out = capture();
    const err = capture();
    expect(await xdsCommand(['inspect', '--json', '--telemetry', resources, '--mesh-config', meshConfig, fixture('gateway-zipkin.json')], out.out, err.out)).toBe(0);
    expect(err.text()).toMatch(/mesh config: extensionProviders\[1\]: missing name/);
    const [gateway] = JSON.parse(out.text()).drift;
    // The gateway sits in istio-system, which is an ordinary namespace in this mesh: its own Telemetry beats the root one.
    expect(gateway.intended.percentage).toBe(50);
    expect(gateway.intended.sources.map((x: { kind: string; ref: string; effect: string }) => `${x.kind} ${x.ref} ${x.effect}`)).toEqual(expect.arrayContaining([
      'Telemetry istio-system/not-root decides', 'Telemetry mesh-root/mesh overridden', 'SamplingPolicy mesh-root/mesh via-telemetry',
    ]));
    expect(gateway.findings.map((f: { kind: string }) => f.kind)).toEqual(['stale-proxy']);
  });
});
