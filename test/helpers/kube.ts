/**
 * A real Kubernetes API server for integration tests, no globalSetup needed:
 * 1. MESHTRACE_TEST_KUBECONFIG set → that cluster (restart() is then unsupported);
 * 2. else a cached kube-apiserver binary (KUBE_APISERVER_BIN, $KUBE_CACHE_DIR/kube-apiserver or
 *    ~/.cache/meshtrace-kube/kube-apiserver, built by scripts/kube-apiserver/build-kube-apiserver.sh)
 *    plus etcd on PATH → started on free loopback ports by scripts/kube-apiserver/start-kube-apiserver.sh;
 * 3. else the suite skips with the reason.
 * The SamplingPolicy CRD and Istio's Telemetry CRD are applied unchanged: v1.20 accepts both and
 * silently drops their x-kubernetes-validations (CEL), so nothing needs stripping.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { KubeApi } from '../../src/controller/kube.js';
import { SHARED_FIXTURES } from './shared.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPTS = join(ROOT, 'scripts', 'kube-apiserver');
export const POLICY_CRD = join(ROOT, 'charts', 'meshtrace', 'crds', 'samplingpolicies.meshtrace.io.yaml');
export const TELEMETRY_CRD = join(SHARED_FIXTURES, 'istio', 'telemetry-crd.yaml');

export interface TestKube {
  readonly kubeconfigPath: string;
  readonly kc: KubeConfig;
  readonly api: KubeApi;
  /** API server URL, token and CA, for tests that put a proxy in front. */
  readonly server: { readonly url: string; readonly token: string; readonly caFile: string } | undefined;
  /** Restarts kube-apiserver on the same port and etcd data; undefined for external clusters. */
  readonly restart: (() => Promise<void>) | undefined;
  ensureNamespace(name: string): Promise<void>;
  stop(): Promise<void>;
}

export type TestKubeResult = { readonly kube: TestKube } | { readonly skip: string };

function findBinary(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [env.KUBE_APISERVER_BIN, env.KUBE_CACHE_DIR && join(env.KUBE_CACHE_DIR, 'kube-apiserver'), join(homedir(), '.cache', 'meshtrace-kube', 'kube-apiserver')];
  return candidates.find((c): c is string => typeof c === 'string' && c !== '' && existsSync(c));
}

async function hasEtcd(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.ETCD_BIN !== undefined) return existsSync(env.ETCD_BIN);
  try { await run('sh', ['-c', 'command -v etcd']); return true; } catch { return false; }
}

/** A minimal Telemetry CRD for clones without ../shared/fixtures (same group, versions and scope). */
function fallbackTelemetryCrd(): V1CustomResourceDefinition {
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'telemetries.telemetry.istio.io' },
    spec: { group: 'telemetry.istio.io', scope: 'Namespaced', names: { kind: 'Telemetry', plural: 'telemetries', singular: 'telemetry', listKind: 'TelemetryList' },
      versions: [{ name: 'v1', served: true, storage: false, schema }, { name: 'v1alpha1', served: true, storage: true, schema }] },
  };
}

async function applyCrds(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const crds = [yaml.load(readFileSync(POLICY_CRD, 'utf8')) as V1CustomResourceDefinition,
    existsSync(TELEMETRY_CRD) ? yaml.load(readFileSync(TELEMETRY_CRD, 'utf8')) as V1CustomResourceDefinition : fallbackTelemetryCrd()];
  for (const crd of crds) {
    // Posted untyped: client-node's typed CRD model expects camelCase and would drop raw keys such
    // as x-kubernetes-int-or-string, which 1.20 then rejects ("type: Required value").
    try {
      await custom.createClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', body: crd });
    } catch (err) { if ((err as { code?: number }).code !== 409) throw err; }
  }
  for (const crd of crds) {
    for (let i = 0; i < 100; i++) {
      const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // The discovery and the new REST endpoints can lag Established by a moment.
  await new Promise((r) => setTimeout(r, 500));
}

function kubeFrom(kubeconfigPath: string, extra: Pick<TestKube, 'server' | 'restart' | 'stop'>): TestKube {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = new KubeApi(kc);
  return {
    kubeconfigPath, kc, api, ...extra,
    async ensureNamespace(name) {
      try { await api.core.createNamespace({ body: { metadata: { name } } }); } catch (err) { if ((err as { code?: number }).code !== 409) throw err; }
    },
  };
}

async function waitReady(url: string, token: string, caFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const { stdout } = await run('curl', ['-sS', '--max-time', '2', '--cacert', caFile, '-H', `Authorization: Bearer ${token}`, `${url}/readyz`]);
      if (stdout.trim() === 'ok') return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`kube-apiserver at ${url} not ready after ${timeoutMs} ms`);
}

async function startLocal(binary: string, env: NodeJS.ProcessEnv): Promise<TestKube> {
  const state = mkdtempSync(join(tmpdir(), 'meshtrace-kube-'));
  const { stdout } = await run(join(SCRIPTS, 'start-kube-apiserver.sh'), [], { env: { ...env, KUBE_APISERVER_BIN: binary, KUBE_STATE_DIR: state } });
  const vars = Object.fromEntries(stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const server = { url: vars.KUBE_APISERVER_URL!, token: vars.KUBE_TOKEN!, caFile: vars.KUBE_CA_FILE! };
  let apiPid = Number(vars.KUBE_APISERVER_PID);
  const restart = async (): Promise<void> => {
    process.kill(apiPid, 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${apiPid}`); i++) await new Promise((r) => setTimeout(r, 100));
    const log = openSync(join(state, 'kube-apiserver.log'), 'a');
    const child = spawn('bash', ['-c', `exec ${readFileSync(join(state, 'kube-apiserver.cmdline'), 'utf8').trim()}`], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    apiPid = child.pid!;
    writeFileSync(join(state, 'pids'), `etcd ${vars.ETCD_PID}\nkube-apiserver ${apiPid}\n`);
    await waitReady(server.url, server.token, server.caFile, 60_000);
  };
  const stop = async (): Promise<void> => { await run(join(SCRIPTS, 'stop-kube-apiserver.sh'), [state]).catch(() => undefined); };
  return kubeFrom(vars.KUBECONFIG!, { server, restart, stop });
}

/** Starts (or connects to) the test API server and applies the CRDs; or says why the suite must skip. */
export async function startTestKube(env: NodeJS.ProcessEnv = process.env): Promise<TestKubeResult> {
  const result = await startOrSkip(env);
  // CI builds the API server before its extra run: there a skip would hide a broken setup.
  if ('skip' in result && env.MESHTRACE_REQUIRE_EXTRA_SUITES === '1') throw new Error(`a real API server is required here: ${result.skip}`);
  return result;
}

async function startOrSkip(env: NodeJS.ProcessEnv): Promise<TestKubeResult> {
  let kube: TestKube;
  if (env.MESHTRACE_TEST_KUBECONFIG) {
    kube = kubeFrom(env.MESHTRACE_TEST_KUBECONFIG, { server: undefined, restart: undefined, stop: async () => {} });
  } else {
    const binary = findBinary(env);
    if (binary === undefined) {
      return { skip: 'no API server: set MESHTRACE_TEST_KUBECONFIG, or build kube-apiserver with scripts/kube-apiserver/build-kube-apiserver.sh (KUBE_CACHE_DIR)' };
    }
    if (!(await hasEtcd(env))) return { skip: `kube-apiserver found at ${binary} but no etcd on PATH (apt-get install etcd-server)` };
    kube = await startLocal(binary, env);
  }
  try {
    await applyCrds(kube.kc);
  } catch (err) {
    await kube.stop();
    throw err;
  }
  return { kube };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) { last = err; }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
