/**
 * `kubectl meshtrace` against a real API server: `sampling set/get`, `boost` and `explain` read and
 * write the objects a user would see with kubectl, and bad input exits 2 with a message.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlMeshtrace } from '../../src/kubectl/cli.js';
import { startTestKube } from '../helpers/kube.js';
import type { TestKube } from '../helpers/kube.js';

const run = promisify(execFile);
const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cmd', 'kubectl-meshtrace.js');
const started = await startTestKube();
const NS = 'plugin-demo';
const ROOT_NS = 'istio-system';

describe.runIf('kube' in started)('kubectl meshtrace on a real API server', () => {
  const kube = (started as { kube: TestKube }).kube;
  const plugin = async (...args: string[]): Promise<string> => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    await kubectlMeshtrace([...args, '--kubeconfig', kube.kubeconfigPath], out);
    return text;
  };

  beforeAll(async () => {
    await kube.ensureNamespace(NS);
    await kube.ensureNamespace(ROOT_NS);
    const core = kube.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'default' } } }).catch(() => undefined);
    await core.createNamespacedConfigMap({ namespace: ROOT_NS, body: { metadata: { name: 'istio' }, data: { mesh: 'defaultProviders:\n  tracing: [zipkin]\nextensionProviders:\n- name: zipkin\n  zipkin: { service: meshtrace.istio-system.svc.cluster.local, port: 9411 }\ndefaultConfig:\n  tracing:\n    sampling: 2\n' } } });
    await core.createNamespacedPod({ namespace: NS, body: {
      metadata: { name: 'reviews-v1-abc12', labels: { app: 'reviews', 'service.istio.io/canonical-name': 'reviews' }, annotations: { 'proxy.istio.io/config': 'tracing:\n  sampling: 7\n' } },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: 'example/reviews:1' }] },
    } });
  }, 60_000);
  afterAll(async () => kube.stop());

  it('sampling set creates a policy, then updates it; sampling get lists it', async () => {
    expect(await plugin('sampling', 'set', `${NS}/reviews`, '25')).toMatch(/samplingpolicy\.meshtrace\.io\/\S+ created: plugin-demo\/reviews at 25%/);
    expect(await plugin('sampling', 'set', `${NS}/reviews`, '30%')).toMatch(/configured: plugin-demo\/reviews at 30%/);
    const policies = (await kube.api.listPolicies(NS)).items;
    expect(policies).toHaveLength(1);
    expect(policies[0]!.spec.fixed?.percentage).toBe(30);
    const table = await plugin('sampling', 'get', '-n', NS);
    expect(table).toMatch(/NAME\s+TARGET\s+MODE\s+PERCENTAGE\s+EFFECTIVE\s+STATUS/);
    expect(table).toContain('fixed 30%');
    expect(await plugin('sampling', 'get', '-A')).toMatch(/^NAMESPACE/);
  });

  it('boost saves the previous spec so the controller can restore it', async () => {
    expect(await plugin('boost', `${NS}/reviews`, '--to', '100', '--for', '5m')).toMatch(/boosted: plugin-demo\/reviews at 100% until \d\d:\d\d:\d\dZ, then back to its previous spec/);
    const [policy] = (await kube.api.listPolicies(NS)).items;
    expect(policy!.spec.boost).toMatchObject({ percentage: 100, duration: '5m' });
    expect(Object.values(policy!.metadata.annotations ?? {}).some((v) => v.includes('"percentage":30'))).toBe(true);
  });

  it('explain walks the precedence for a pod and says what decides', async () => {
    await kube.api.custom.createNamespacedCustomObject({ group: 'telemetry.istio.io', version: 'v1alpha1', namespace: NS, plural: 'telemetries',
      body: { apiVersion: 'telemetry.istio.io/v1alpha1', kind: 'Telemetry', metadata: { name: 'ns-tracing', namespace: NS }, spec: { tracing: [{ randomSamplingPercentage: 12 }] } } });
    const text = await plugin('explain', '-n', NS, 'reviews-v1-abc12');
    expect(text).toContain(`Pod:       ${NS}/reviews-v1-abc12 (workload reviews, sidecar)`);
    expect(text).toMatch(/Sampling: {2}12% of the traces that start here, decided by plugin-demo\/ns-tracing/);
    expect(text).toMatch(/ProxyConfigAnnotation.*7%.*overridden/);
    expect(text).toMatch(/MeshConfig.*2%.*overridden/);
  });

  it('exits 2 with a message on bad input and for a pod that does not exist', async () => {
    const fails = async (...args: string[]) => run(process.execPath, [PLUGIN, ...args, '--kubeconfig', kube.kubeconfigPath]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(await fails('sampling', 'set', `${NS}/reviews`, '150')).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a percentage from 0 to 100') });
    expect(await fails('boost', `${NS}/reviews`, '--for', '3d')).toMatchObject({ code: 2, stderr: expect.stringContaining('--for') });
    expect(await fails('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    expect(await fails('explain', '-n', NS, 'no-such-pod')).toMatchObject({ code: 2, stderr: expect.stringContaining('not found') });
  });
});
