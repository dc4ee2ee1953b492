/**
 * Controller bench: 1,000 SamplingPolicies and 5,000 Telemetries (1,000 written by the controller,
 * 4,000 foreign ones beside them) on a real API server. Runs the controller as its own process,
 * exactly as the Helm chart deploys it (the same entry script and the same NODE_OPTIONS, read from
 * the chart), and reports its RSS once every policy is reconciled, and the p95 of its per-policy
 * reconcile times (from its debug log) during that first full pass.
 * API server: MESHTRACE_TEST_KUBECONFIG, else the cached kube-apiserver (scripts/kube-apiserver), else skipped.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { KubeApi, loadKubeConfig } from '../src/controller/kube.js';
import { POLICY_API_VERSION, POLICY_GROUP, POLICY_KIND, POLICY_PLURAL, POLICY_VERSION } from '../src/controller/policy.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const NAMESPACES = 50;
const POLICIES_PER_NS = 20;
const FOREIGN_PER_NS = 80;

type Log = (msg: string) => void;
export type ControllerBenchResult = {
  policies: number; telemetries: number; rssBytes: number;
  /** Over the first pass, while 6,000 objects are being created. */
  reconcileP95Ms: number;
  /** Once settled: single policy edits, one at a time. */
  steadyReconcileP95Ms: number;
  /** Once settled: a policy edit until its Telemetry carries the new percentage. */
  applyToTelemetryP95Ms: number;
} | { skipped: string };

const EDITS = 30;

/** Edits policies one at a time and times each until its Telemetry shows the new percentage. */
async function timeEdits(api: KubeApi): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const ref = { group: POLICY_GROUP, version: POLICY_VERSION, namespace: 'bench-0', plural: POLICY_PLURAL, name: `w${i % POLICIES_PER_NS}` };
    const policy = await api.custom.getNamespacedCustomObject(ref) as { spec: { fixed: { percentage: number } } };
    const percentage = 10 + i;
    policy.spec.fixed.percentage = percentage;
    const t0 = Date.now();
    await api.custom.replaceNamespacedCustomObject({ ...ref, body: policy });
    for (;;) {
      const t = await api.custom.getNamespacedCustomObject({ group: 'telemetry.istio.io', version: 'v1', namespace: 'bench-0', plural: 'telemetries', name: `meshtrace-${ref.name}` })
        .catch(() => undefined) as { spec?: { tracing?: { randomSamplingPercentage?: number }[] } } | undefined;
      if (t?.spec?.tracing?.[0]?.randomSamplingPercentage === percentage) break;
      if (Date.now() - t0 > 30_000) throw new Error(`policy ${ref.name}: Telemetry not updated within 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    out.push(Date.now() - t0);
  }
  return out;
}

async function apiServer(): Promise<{ kubeconfig: string; stop: () => Promise<void> } | string> {
  if (process.env.MESHTRACE_TEST_KUBECONFIG) return { kubeconfig: process.env.MESHTRACE_TEST_KUBECONFIG, stop: async () => {} };
  const env = process.env;
  const binary = [env.KUBE_APISERVER_BIN, env.KUBE_CACHE_DIR && join(env.KUBE_CACHE_DIR, 'kube-apiserver'), join(homedir(), '.cache', 'meshtrace-kube', 'kube-apiserver')]
    .find((c): c is string => typeof c === 'string' && c !== '' && existsSync(c));
  if (binary === undefined) return 'no API server (set MESHTRACE_TEST_KUBECONFIG or KUBE_CACHE_DIR; see scripts/kube-apiserver)';
  const scripts = join(ROOT, 'scripts', 'kube-apiserver');
  const state = mkdtempSync(join(tmpdir(), 'meshtrace-bench-kube-'));
  const { stdout } = await run(join(scripts, 'start-kube-apiserver.sh'), [], { env: { ...env, KUBE_APISERVER_BIN: binary, KUBE_STATE_DIR: state } });
  const kubeconfig = /^KUBECONFIG=(.*)$/m.exec(stdout)?.[1] ?? join(state, 'kubeconfig');
  return { kubeconfig, stop: async () => { await run(join(scripts, 'stop-kube-apiserver.sh'), [state]).catch(() => undefined); } };
}

async function installCrds(api: KubeApi): Promise<void> {
  const istio = join(ROOT, '..', 'shared', 'fixtures', 'istio', 'telemetry-crd.yaml');
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  const telemetryCrd = existsSync(istio) ? yaml.load(readFileSync(istio, 'utf8')) : {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'telemetries.telemetry.istio.io' },
    spec: { group: 'telemetry.istio.io', scope: 'Namespaced', names: { kind: 'Telemetry', plural: 'telemetries', singular: 'telemetry', listKind: 'TelemetryList' },
      versions: [{ name: 'v1', served: true, storage: false, schema }, { name: 'v1alpha1', served: true, storage: true, schema }] },
  };
  for (const crd of [yaml.load(readFileSync(join(ROOT, 'charts', 'meshtrace', 'crds', 'samplingpolicies.meshtrace.io.yaml'), 'utf8')), telemetryCrd]) {
    await api.custom.createClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', body: crd })
      .catch((err: { code?: number }) => { if (err.code !== 409) throw err; });
  }
  await new Promise((r) => setTimeout(r, 2000)); // let the new endpoints come up
}

async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

async function seed(api: KubeApi): Promise<void> {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
  await inBatches(['istio-system', ...namespaces], 16, (name) => api.core.createNamespace({ body: { metadata: { name } } }).catch(() => undefined));
  const foreign = namespaces.flatMap((ns) => Array.from({ length: FOREIGN_PER_NS }, (_, i) => ({ ns, name: `team-${i}` })));
  await inBatches(foreign, 32, ({ ns, name }) => api.custom.createNamespacedCustomObject({ group: 'telemetry.istio.io', version: 'v1', namespace: ns, plural: 'telemetries',
    body: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, tracing: [{ randomSamplingPercentage: 1 }] } } }));
  const policies = namespaces.flatMap((ns) => Array.from({ length: POLICIES_PER_NS }, (_, i) => ({ ns, name: `w${i}` })));
  await inBatches(policies, 32, ({ ns, name }) => api.custom.createNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: ns, plural: POLICY_PLURAL,
    body: { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, metadata: { name, namespace: ns }, spec: { target: { matchLabels: { app: name } }, fixed: { percentage: 5 } } } }));
}

/**
 * How the chart runs the controller: the entry script its container args name and its
 * NODE_OPTIONS with the chart's default values filled in. Read from the chart, so the bench
 * measures what is deployed and the two cannot drift apart.
 */
function chartInvocation(): { script: string; nodeOptions: string } {
  const chart = join(ROOT, 'charts', 'meshtrace');
  const values = (yaml.load(readFileSync(join(chart, 'values.yaml'), 'utf8')) as { controller: Record<string, unknown> }).controller;
  const template = readFileSync(join(chart, 'templates', 'controller-deployment.yaml'), 'utf8');
  const script = /args:\s*\n\s*- (dist\/\S+\.js)\s*\n/.exec(template)?.[1];
  const nodeOptions = /name: NODE_OPTIONS\s*\n\s*value: "([^"]*)"/.exec(template)?.[1];
  if (script === undefined || nodeOptions === undefined) throw new Error('controller-deployment.yaml: no entry script in args, or no NODE_OPTIONS');
  return {
    script,
    nodeOptions: nodeOptions.replace(/\{\{\s*\.Values\.controller\.(\w+)\s*\}\}/g, (_, key: string) => {
      const value = values[key];
      if (typeof value !== 'number' && typeof value !== 'string') throw new Error(`values.yaml: controller.${key} is not a number or string`);
      return String(value);
    }),
  };
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

export async function controllerBench(log: Log): Promise<ControllerBenchResult> {
  const server = await apiServer();
  if (typeof server === 'string') return { skipped: server };
  const api = new KubeApi(loadKubeConfig({ kubeconfig: server.kubeconfig }));
  const deployed = chartInvocation();
  log(`controller bench: node ${deployed.script} with NODE_OPTIONS="${deployed.nodeOptions}" (from the chart)`);
  const child = spawn(process.execPath, [join(ROOT, deployed.script), '--kubeconfig', server.kubeconfig, '--log-level', 'debug', '--leader-elect', 'false', '--resync-period', '1h'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: deployed.nodeOptions } });
  try {
    await installCrds(api);
    log(`controller bench: seeding ${NAMESPACES * POLICIES_PER_NS} policies and ${NAMESPACES * FOREIGN_PER_NS} foreign Telemetries`);
    const reconcileMs: number[] = [];
    createInterface(child.stdout).on('line', (line) => {
      try { const rec = JSON.parse(line) as { msg?: string; ms?: number }; if (rec.msg === 'reconciled' && typeof rec.ms === 'number') reconcileMs.push(rec.ms); } catch { /* not JSON */ }
    });
    const t0 = Date.now();
    await seed(api);
    const policies = NAMESPACES * POLICIES_PER_NS;
    for (;;) {
      const list = await api.listPolicies();
      const done = list.items.filter((p) => p.status?.observedGeneration === p.metadata.generation).length;
      if (done >= policies) break;
      if (child.exitCode !== null) throw new Error(`the controller exited (code ${child.exitCode}) with ${done} of ${policies} policies reconciled`);
      if (Date.now() - t0 > 600_000) throw new Error(`only ${done} of ${policies} policies reconciled after 10 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const telemetries = (await api.listTelemetries()).items.length;
    const rssBytes = rssOf(child.pid!);
    log(`controller bench: ${policies} policies reconciled ${((Date.now() - t0) / 1000).toFixed(1)} s after seeding began; ${telemetries} Telemetries; ${reconcileMs.length} reconciles`);
    const firstPass = reconcileMs.splice(0);
    const applyMs = await timeEdits(api);
    return {
      policies, telemetries, rssBytes, reconcileP95Ms: Math.round(p95(firstPass) * 10) / 10,
      steadyReconcileP95Ms: Math.round(p95(reconcileMs) * 10) / 10, applyToTelemetryP95Ms: p95(applyMs),
    };
  } finally {
    child.kill('SIGTERM');
    await server.stop();
  }
}
