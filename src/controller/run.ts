/**
 * The controller's I/O shell: caches fed by list-watch, a work queue of policy keys, leader
 * election, periodic resync, and the execution of reconcile.ts's plans through kube.ts.
 * Every replica keeps warm caches; only the leader works the queue.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { DEFAULT_TUNING } from './adaptive.js';
import type { KubeApi } from './kube.js';
import { LeaderElector } from './leader.js';
import { ListWatch } from './list-watch.js';
import { MESH_CONFIGMAP, MESH_CONFIGMAP_KEY, parseMeshConfig } from './mesh-config.js';
import { fetchRates } from './meshtrace-rates.js';
import type { MeshRates } from './meshtrace-rates.js';
import { POLICY_FINALIZER, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, PREVIOUS_SPEC_ANNOTATION } from './policy.js';
import type { SamplingPolicy, SamplingPolicyStatus } from './policy.js';
import { cleanupTargets, reconcile } from './reconcile.js';
import type { ReconcilePlan, WorkloadFacts } from './reconcile-types.js';
import { stableJson } from './stable-json.js';
import { TELEMETRY_GROUP, TELEMETRY_PLURAL, TELEMETRY_VERSION, managingPolicy } from './telemetry.js';
import type { Telemetry } from './telemetry.js';
import { WorkQueue } from './work-queue.js';
import { workloadsFromPods } from './workloads.js';

export interface ControllerOptions {
  readonly rootNamespace: string;
  /** Full resync period, ms. */
  readonly resyncMs: number;
  readonly meshtraceUrl?: string | undefined;
  readonly meshtraceToken?: string | undefined;
  /** Measurement window asked of meshtrace, e.g. `5m`; also the adaptive hold time. */
  readonly adaptiveWindowMs: number;
  /** How often adaptive policies are re-evaluated, ms. */
  readonly adaptiveIntervalMs: number;
  readonly leaderElection: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  readonly concurrency: number;
  /** List the pods a policy targets for per-workload status and Ineffective checks. */
  readonly inspectPods: boolean;
  readonly log: Logger;
  /** Called after every reconcile with its duration (the bench's p95). */
  readonly onReconciled?: (key: string, ms: number, error?: unknown) => void;
}

const policyKey = (ns: string, name: string): string => `${ns}/${name}`;
const RATES_TTL_MS = 30_000;

export class Controller {
  readonly #api: KubeApi;
  readonly #o: ControllerOptions;
  readonly policies: ListWatch<SamplingPolicy>;
  readonly telemetries: ListWatch<Telemetry>;
  readonly meshConfig: ListWatch<V1ConfigMap & { metadata: { name: string; namespace: string } }>;
  readonly #queue: WorkQueue;
  readonly #leader: LeaderElector | undefined;
  #resync: NodeJS.Timeout | undefined;
  #rates: { at: number; value: MeshRates | undefined } = { at: 0, value: undefined };

  constructor(api: KubeApi, options: ControllerOptions) {
    this.#api = api;
    this.#o = options;
    const log = options.log;
    this.#queue = new WorkQueue((key) => this.#work(key), options.concurrency);
    this.policies = new ListWatch(api.kc, {
      path: `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}`, list: () => api.listPolicies(), log,
      onEvent: (_type, p) => this.#policyChanged(p),
    });
    this.telemetries = new ListWatch(api.kc, {
      path: `/apis/${TELEMETRY_GROUP}/${TELEMETRY_VERSION}/${TELEMETRY_PLURAL}`, list: () => api.listTelemetries(), log,
      onEvent: (_type, t) => this.#telemetryChanged(t),
    });
    const root = options.rootNamespace;
    this.meshConfig = new ListWatch(api.kc, {
      path: `/api/v1/namespaces/${root}/configmaps`, fieldSelector: `metadata.name=${MESH_CONFIGMAP}`, log,
      list: async () => {
        const l = await api.retry(() => api.core.listNamespacedConfigMap({ namespace: root, fieldSelector: `metadata.name=${MESH_CONFIGMAP}` }));
        return { items: l.items as (V1ConfigMap & { metadata: { name: string; namespace: string } })[], metadata: { resourceVersion: l.metadata?.resourceVersion ?? '' } };
      },
      onEvent: () => this.#enqueueAll(),
    });
    this.#leader = options.leaderElection ? new LeaderElector(api.coordination, {
      namespace: options.leaseNamespace, name: options.leaseName, identity: options.identity, log,
      ...(options.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
      onStartedLeading: () => { this.#queue.resume(); this.#enqueueAll(); },
      onStoppedLeading: () => this.#queue.pause(),
    }) : undefined;
  }

  async start(): Promise<void> {
    await Promise.all([this.meshConfig.start(), this.telemetries.start(), this.policies.start()]);
    this.#o.log.info({ policies: this.policies.list().length, telemetries: this.telemetries.list().length }, 'caches synced');
    if (this.#leader !== undefined) this.#leader.start();
    else { this.#queue.resume(); this.#enqueueAll(); }
    this.#resync = setInterval(() => this.#enqueueAll(), this.#o.resyncMs);
    this.#resync.unref();
  }

  /** Stops taking work, lets in-flight reconciles finish (up to `graceMs`), releases the Lease. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#resync !== undefined) clearInterval(this.#resync);
    this.#queue.pause();
    await Promise.race([this.#queue.drained(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.#queue.stop();
    await this.#leader?.stop();
    this.policies.stop();
    this.telemetries.stop();
    this.meshConfig.stop();
  }

  get isLeader(): boolean {
    return this.#leader?.isLeader ?? true;
  }

  /** Resolves when the queue is empty (tests and the bench). */
  idle(): Promise<void> {
    return this.#queue.drained();
  }

  #enqueueAll(): void {
    for (const p of this.policies.list()) this.#queue.add(policyKey(p.metadata.namespace, p.metadata.name));
  }

  /** The policy, and its namespace's others: whether they conflict depends on it (the older of two at one scope wins). */
  #policyChanged(p: SamplingPolicy): void {
    this.#queue.add(policyKey(p.metadata.namespace, p.metadata.name));
    for (const other of this.policies.list(p.metadata.namespace)) this.#queue.add(policyKey(other.metadata.namespace, other.metadata.name));
  }

  /** Its owner, and every policy in its namespace: a new foreign Telemetry may create a conflict. */
  #telemetryChanged(t: Telemetry): void {
    const owner = managingPolicy(t);
    if (owner !== undefined) this.#queue.add(policyKey(t.metadata.namespace, owner));
    for (const p of this.policies.list(t.metadata.namespace)) this.#queue.add(policyKey(p.metadata.namespace, p.metadata.name));
  }

  async #work(key: string): Promise<void> {
    const started = performance.now();
    try {
      await this.#reconcileKey(key);
      this.#queue.forget(key);
      const ms = performance.now() - started;
      this.#o.log.debug({ policy: key, ms: Math.round(ms * 100) / 100 }, 'reconciled');
      this.#o.onReconciled?.(key, ms);
    } catch (err) {
      this.#o.onReconciled?.(key, performance.now() - started, err);
      this.#o.log.warn({ policy: key, err: String(err) }, 'reconcile failed; retrying with backoff');
      await this.#reportFailure(key, err);
      this.#queue.retry(key);
    }
  }

  async #reconcileKey(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const policy = this.policies.get(namespace, name);
    if (policy === undefined) return;
    if (policy.metadata.deletionTimestamp !== undefined) return this.#finalize(policy);
    if (!(policy.metadata.finalizers ?? []).includes(POLICY_FINALIZER)) {
      await this.#api.patchPolicy(namespace, name, { metadata: { finalizers: [...(policy.metadata.finalizers ?? []), POLICY_FINALIZER], resourceVersion: policy.metadata.resourceVersion } });
    }
    const plan = reconcile({
      policy, rootNamespace: this.#o.rootNamespace, mesh: this.#mesh(),
      telemetries: this.telemetries.list(namespace).concat(namespace === this.#o.rootNamespace ? [] : this.telemetries.list(this.#o.rootNamespace)),
      policies: this.policies.list(namespace).filter((p) => p.metadata.name !== name),
      workloads: await this.#workloads(policy), rates: (await this.#meshRates())?.get(namespace), nowMs: Date.now(),
      tuning: { ...DEFAULT_TUNING, holdMs: this.#o.adaptiveWindowMs },
    });
    await this.#execute(policy, plan);
  }

  async #execute(policy: SamplingPolicy, plan: ReconcilePlan): Promise<void> {
    const { namespace, name } = policy.metadata;
    for (const t of plan.apply) if (!this.#upToDate(t)) await this.#api.applyTelemetry(t);
    for (const n of plan.delete) await this.#api.deleteTelemetry(namespace, n);
    if (plan.restoreSpec !== undefined) {
      await this.#api.patchPolicy(namespace, name, {
        metadata: { annotations: { [PREVIOUS_SPEC_ANNOTATION]: null } },
        spec: { fixed: null, adaptive: null, boost: null, ...plan.restoreSpec },
      });
    }
    if (stableJson(plan.status) !== stableJson(policy.status ?? {})) await this.#api.patchPolicyStatus(namespace, name, statusPatch(plan.status));
    for (const e of plan.events) await this.#api.recordEvent(policy, e);
    if (plan.requeueAfterMs !== undefined) this.#queue.addAfter(policyKey(namespace, name), plan.requeueAfterMs + 50);
    if (policy.spec.adaptive !== undefined) this.#queue.addAfter(policyKey(namespace, name), this.#o.adaptiveIntervalMs);
  }

  /** The finalizer path: delete this policy's Telemetries ourselves (no garbage collector is assumed), then let it go. */
  async #finalize(policy: SamplingPolicy): Promise<void> {
    const { namespace, name } = policy.metadata;
    const finalizers = policy.metadata.finalizers ?? [];
    if (!finalizers.includes(POLICY_FINALIZER)) return;
    const fresh = await this.#api.listTelemetries(namespace, `app.kubernetes.io/managed-by=meshtrace,meshtrace.io/policy=${name}`);
    for (const t of cleanupTargets(policy, fresh.items)) await this.#api.deleteTelemetry(namespace, t);
    await this.#api.patchPolicy(namespace, name, { metadata: { finalizers: finalizers.filter((f) => f !== POLICY_FINALIZER), resourceVersion: policy.metadata.resourceVersion } });
    await this.#api.recordEvent(policy, { type: 'Normal', reason: 'Deleted', message: `removed ${fresh.items.length} Telemetry` });
  }

  async #reportFailure(key: string, err: unknown): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const policy = this.policies.get(namespace, name);
    if (policy === undefined || policy.metadata.deletionTimestamp !== undefined) return;
    const message = String(err).split('\n')[0]!.slice(0, 500);
    await this.#api.recordEvent(policy, { type: 'Warning', reason: 'ReconcileFailed', message });
    try {
      const now = new Date().toISOString();
      const conditions = (policy.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
      await this.#api.patchPolicyStatus(namespace, name, { conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileFailed', message, lastTransitionTime: now }, ...conditions] });
    } catch {
      // The API server is what failed; the event and the retry carry on.
    }
  }

  #upToDate(desired: Telemetry): boolean {
    const cached = this.telemetries.get(desired.metadata.namespace, desired.metadata.name);
    if (cached === undefined) return false;
    const labelsMatch = Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => cached.metadata.labels?.[k] === v);
    const ownerMatch = stableJson(desired.metadata.ownerReferences ?? []) === stableJson(cached.metadata.ownerReferences ?? []);
    return labelsMatch && ownerMatch && stableJson(cached.spec ?? {}) === stableJson(desired.spec ?? {});
  }

  #mesh(): ReturnType<typeof parseMeshConfig> {
    const cm = this.meshConfig.get(this.#o.rootNamespace, MESH_CONFIGMAP);
    const mesh = parseMeshConfig(cm?.data?.[MESH_CONFIGMAP_KEY]);
    if (mesh.problems.length > 0) this.#o.log.warn({ problems: mesh.problems }, 'mesh config problems');
    return mesh;
  }

  async #workloads(policy: SamplingPolicy): Promise<WorkloadFacts[] | undefined> {
    if (!this.#o.inspectPods) return undefined;
    const labels = policy.spec.target?.matchLabels;
    const selector = labels === undefined ? undefined : Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    try {
      return workloadsFromPods(await this.#api.listPods(policy.metadata.namespace, selector));
    } catch (err) {
      this.#o.log.debug({ err: String(err) }, 'cannot list pods; per-workload status skipped');
      return undefined;
    }
  }

  async #meshRates(): Promise<MeshRates | undefined> {
    if (this.#o.meshtraceUrl === undefined) return undefined;
    if (Date.now() - this.#rates.at < Math.min(RATES_TTL_MS, this.#o.adaptiveIntervalMs)) return this.#rates.value;
    try {
      const headers: Record<string, string> = this.#o.meshtraceToken !== undefined ? { authorization: `Bearer ${this.#o.meshtraceToken}` } : {};
      this.#rates = { at: Date.now(), value: await fetchRates(this.#o.meshtraceUrl, `${Math.round(this.#o.adaptiveWindowMs / 1000)}s`, headers) };
    } catch (err) {
      this.#o.log.warn({ err: String(err), url: this.#o.meshtraceUrl }, 'cannot read meshtrace\'s report; adaptive policies hold');
      this.#rates = { at: Date.now(), value: undefined };
    }
    return this.#rates.value;
  }
}

/** Merge patch of status: keys the new status lacks are removed, not left behind. */
function statusPatch(status: SamplingPolicyStatus): Record<string, unknown> {
  return { boost: null, workloads: null, telemetries: null, ...status };
}
