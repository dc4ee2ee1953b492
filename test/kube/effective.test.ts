/**
 * The Effective condition end to end: the controller on a real API server reads what the Envoys
 * run from a fake meshtrace (`/api/sampling/effective` on a loopback port), and the API server
 * keeps status.effective (the CRD schema lists it, so nothing is pruned) and shows the EFFECTIVE
 * printer column.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../../src/controller/policy.js';
import { eventually, startTestKube } from '../helpers/kube.js';
import type { TestKube } from '../helpers/kube.js';
import { ROOT_NS, policyBody, startController } from './controller-harness.js';
import type { RunningController } from './controller-harness.js';

const started = await startTestKube();
const NS = 'effective-demo';

/** What the fake meshtrace says the reviews pods' inbound listeners run. */
let running: number[] = [1, 1];
const requests: string[] = [];
const meshtrace = createServer((req, res) => {
  requests.push(req.url ?? '');
  if (!(req.url ?? '').startsWith('/api/sampling/effective')) return void res.writeHead(404).end('{}');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
    workloads: [{ key: `${NS}/reviews`, namespace: NS, workload: 'reviews', gateway: false, proxies: running.map((p, i) => ({
      id: `sidecar~10.0.0.${i}~reviews-v1-${i}.${NS}~${NS}.svc.cluster.local`, pod: `reviews-v1-${i}`, type: 'sidecar', source: 'ads',
      sides: { inbound: { percentages: [p], providers: ['zipkin'], enabledHcms: 1, disabledHcms: [] } }, percentage: p, problems: [],
    })) }],
    errors: {},
  }));
});

/** The policy as `kubectl get msp` shows it: the API server's Table rendering of the printer columns. */
function table(kube: TestKube, name: string): Promise<Record<string, unknown>> {
  const server = kube.server!;
  const url = new URL(`/apis/${POLICY_GROUP}/${POLICY_VERSION}/namespaces/${NS}/${POLICY_PLURAL}/${name}`, server.url);
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca: readFileSync(server.caFile), headers: { authorization: `Bearer ${server.token}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => {
        const t = JSON.parse(body) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
        resolve(Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name, t.rows[0]?.cells[i]])));
      });
    }).on('error', reject);
  });
}

describe.skipIf('skip' in started)('Effective: what the Envoys run, on a real API server', () => {
  const kube = (started as { kube: TestKube }).kube;
  let ctl: RunningController;
  const policy = () => kube.api.getPolicy(NS, 'reviews');

  beforeAll(async () => {
    await new Promise<void>((resolve) => meshtrace.listen(0, '127.0.0.1', resolve));
    await kube.ensureNamespace(ROOT_NS);
    await kube.ensureNamespace(NS);
    await kube.api.core.createNamespacedConfigMap({ namespace: ROOT_NS, body: { metadata: { name: 'istio' },
      data: { mesh: 'defaultProviders:\n  tracing: [zipkin]\nextensionProviders:\n- name: zipkin\n  zipkin: { service: meshtrace.istio-system.svc.cluster.local, port: 9411 }\n' } } })
      .catch((err: { code?: number }) => { if (err.code !== 409) throw err; });
    await kube.api.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'default' } } })
      .catch((err: { code?: number }) => { if (err.code !== 409) throw err; });
    await kube.api.core.createNamespacedPod({ namespace: NS, body: {
      metadata: { name: 'reviews-v1-6d8f9c7b5d-x2k4p', labels: { app: 'reviews', 'service.istio.io/canonical-name': 'reviews' } },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: 'reviews:1' }] },
    } });
    ctl = await startController(kube.kc, { meshtraceUrl: `http://127.0.0.1:${(meshtrace.address() as AddressInfo).port}`, effectiveTtlMs: 300 });
    await eventually(async () => ctl.controller.isLeader, 10_000, 'leadership');
  }, 60_000);
  afterAll(async () => {
    await ctl?.controller.stop();
    await kube.stop();
    meshtrace.closeAllConnections();
    await new Promise((resolve) => meshtrace.close(resolve));
  });

  it('is Pending while the Envoys run another value, then Effective once they run the written one, by itself', async () => {
    await kube.api.custom.createNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: NS, plural: POLICY_PLURAL,
      body: policyBody(NS, 'reviews', { target: { matchLabels: { 'service.istio.io/canonical-name': 'reviews' } }, fixed: { percentage: 10 } }) });
    const pending = await eventually(async () => { const p = await policy(); return p?.status?.conditions?.some((c) => c.type === 'Effective') && p; }, 10_000, 'Effective condition');
    expect(pending.status?.conditions?.find((c) => c.type === 'Effective')).toMatchObject({ status: 'False', reason: 'Pending', message: 'reviews runs 1% (2 pods), asked 10%' });
    expect(pending.status?.effective).toEqual([{ workload: 'reviews', percentages: [1], proxies: 2, expected: 10, matches: false }]);
    expect(requests).toContain(`/api/sampling/effective?namespace=${NS}`);
    if (kube.server !== undefined) expect(await table(kube, 'reviews')).toMatchObject({ Ready: 'True', Effective: 'False' });

    // istiod pushes: nothing changes in the cluster, the controller looks again by itself.
    running = [10, 10];
    const done = await eventually(async () => { const p = await policy(); return p?.status?.conditions?.some((c) => c.type === 'Effective' && c.status === 'True') && p; }, 10_000, 'Effective=True');
    expect(done.status?.effective).toEqual([{ workload: 'reviews', percentages: [10], proxies: 2, expected: 10, matches: true }]);
    if (kube.server !== undefined) expect(await table(kube, 'reviews')).toMatchObject({ Effective: 'True' });
    await eventually(async () => (await kube.api.core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=reviews' }))
      .items.some((e) => e.reason === 'Effective' && e.type === 'Normal'), 5000, 'Effective event');
  });
});
