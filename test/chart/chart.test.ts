/**
 * The Helm chart, rendered by a real helm: lint is clean, the default and the everything-set
 * values render the resources a security review expects, and the schema rejects typos.
 */
import { loadAll } from 'js-yaml';
import { loadServeConfig } from '../../src/config/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helm } from '../helpers/helm.js';

const REPO_ROOT = process.cwd();
const CHART = join(REPO_ROOT, 'charts', 'meshtrace');
const EVERYTHING = join(process.cwd(), 'test', 'chart', 'values-everything.yaml');

interface Resource { kind: string; apiVersion: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }
interface Container { name: string; args: string[]; ports?: { name: string; containerPort: number }[]; securityContext: Record<string, unknown>; readinessProbe?: { httpGet: { path: string } }; livenessProbe?: { httpGet: { path: string } }; env?: { name: string }[] }
interface PodSpec { securityContext: Record<string, unknown>; containers: Container[]; serviceAccountName: string }
interface PodTemplate { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec }

async function render(args: string[] = []): Promise<Resource[]> {
  const run = await helm(['template', 'meshtrace', CHART, '--namespace', 'istio-system', ...args]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (loadAll(run.stdout) as (Resource | null)[]).filter((r): r is Resource => r !== null);
}

const find = (all: Resource[], kind: string, name: string): Resource => {
  const r = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (r === undefined) throw new Error(`${kind}/${name} not rendered; have ${all.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return r;
};
const template = (d: Resource): PodTemplate => (d.spec as { template: PodTemplate }).template;

function expectHardened(d: Resource): void {
  const pod = template(d);
  expect(pod.metadata.labels['sidecar.istio.io/inject']).toBe('false');
  expect(pod.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
  expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  for (const c of pod.spec.containers) {
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  }
}

describe('charts/meshtrace', () => {
  it('passes helm lint without warnings, with default and with every value set', async () => {
    for (const args of [[], ['--values', EVERYTHING]]) {
      const run = await helm(['lint', CHART, '--strict', ...args]);
      expect(run.stdout + run.stderr, args.join(' ')).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(run.code).toBe(0);
    }
  });

  it('starts each container with a script the package builds (the image\'s entrypoint is node)', async () => {
    const all = await render();
    for (const name of ['meshtrace', 'meshtrace-controller']) {
      const script = template(find(all, 'Deployment', name)).spec.containers[0]!.args[0]!;
      expect(script, name).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(join(REPO_ROOT, script)), `${name}: ${script}`).toBe(true);
    }
  });

  it('renders the collector with its ports, probes and a hardened, sidecar-free pod', async () => {
    const all = await render();
    const collector = find(all, 'Deployment', 'meshtrace');
    expectHardened(collector);
    const c = template(collector).spec.containers[0]!;
    expect(c.args.slice(0, 2)).toEqual(['dist/cmd/meshtrace.js', 'serve']);
    // Every flag the chart passes is one `meshtrace serve` takes, with a value it accepts.
    expect(loadServeConfig(c.args.slice(2), {})).toMatchObject({ auditEnabled: true, settleMs: 10_000 });
    expect(Object.fromEntries(c.ports!.map((p) => [p.name, p.containerPort]))).toEqual({ 'http-zipkin': 9411, 'grpc-otlp': 4317, 'http-otlp': 4318, 'http': 8080 });
    expect(c.readinessProbe!.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe!.httpGet.path).toBe('/healthz');
    const svc = find(all, 'Service', 'meshtrace');
    const ports = (svc.spec as { ports: { port: number; appProtocol: string }[] }).ports;
    expect(ports.map((p) => [p.port, p.appProtocol])).toEqual([[9411, 'http'], [4317, 'grpc'], [4318, 'http'], [8080, 'http']]);
    expect(find(all, 'PodDisruptionBudget', 'meshtrace').kind).toBe('PodDisruptionBudget');
    expect(all.some((r) => r.kind === 'ServiceMonitor' || r.kind === 'NetworkPolicy' || r.kind === 'Secret')).toBe(false);
    for (const r of all) if (r.kind !== 'ClusterRole' && r.kind !== 'ClusterRoleBinding') expect(r.metadata.namespace).toBe('istio-system');
  });

  it('gives the controller least-privilege RBAC and leader election in its own namespace', async () => {
    const all = await render();
    expectHardened(find(all, 'Deployment', 'meshtrace-controller'));
    const role = find(all, 'ClusterRole', 'meshtrace-controller');
    const verbs = (group: string, resource: string): string[] => role.rules!.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs).sort();
    expect(verbs('telemetry.istio.io', 'telemetries')).toEqual(['create', 'delete', 'list', 'patch', 'watch']);
    expect(verbs('meshtrace.io', 'samplingpolicies')).toEqual(['list', 'patch', 'watch']);
    expect(verbs('meshtrace.io', 'samplingpolicies/status')).toEqual(['patch']);
    expect(verbs('', 'pods')).toEqual(['list']);
    expect(verbs('', 'secrets')).toEqual([]);
    for (const rule of role.rules!) expect(rule.verbs).not.toContain('*');
    expect(role.rules!.flatMap((r) => r.resources)).not.toContain('*');
    const leader = find(all, 'Role', 'meshtrace-controller-leader');
    expect(leader.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
    expect(find(all, 'ServiceAccount', 'meshtrace-collector').kind).toBe('ServiceAccount');
  });

  it('renders every optional resource when every value is set', async () => {
    const all = await render(['--values', EVERYTHING]);
    const collector = template(find(all, 'Deployment', 'meshtrace'));
    expect(collector.spec.containers[0]!.args).toContain('--retention=2h');
    expect(collector.spec.containers[0]!.args).toContain('--max-stored-spans=3000000');
    expect(loadServeConfig(collector.spec.containers[0]!.args.slice(2), {})).toMatchObject({ auditEnabled: false, settleMs: 5_000 });
    expect(collector.spec.containers[0]!.env!.map((e) => e.name)).toContain('MESHTRACE_AUTH_TOKEN');
    expect((find(all, 'Deployment', 'meshtrace-controller').spec as { replicas: number }).replicas).toBe(2);
    expect(find(all, 'Secret', 'meshtrace-auth').kind).toBe('Secret');
    expect(find(all, 'ServiceMonitor', 'meshtrace').metadata.labels!['release']).toBe('prometheus');
    expect(find(all, 'NetworkPolicy', 'meshtrace').kind).toBe('NetworkPolicy');
  });

  it('rejects unknown keys and wrong types in values', async () => {
    for (const [set, complaint] of [
      ['collector.retension=2h', /retension/],
      ['colector.retention=2h', /colector/],
      ['collector.replicas=two', /replicas/],
      ['auth.basic=nocolon', /basic/],
    ] as const) {
      const run = await helm(['template', 'meshtrace', CHART, '--set', set]);
      expect(run.code, set).not.toBe(0);
      expect(run.stderr, set).toMatch(complaint);
    }
  });

  it('prints the mesh config, Telemetry and port-forward in NOTES.txt', async () => {
    const run = await helm(['install', 'meshtrace', CHART, '--namespace', 'istio-system', '--dry-run=client']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('service: meshtrace.istio-system.svc.cluster.local');
    expect(run.stdout).toContain('kind: Telemetry');
    expect(run.stdout).toContain('port-forward svc/meshtrace 8080:8080');
  });
});
