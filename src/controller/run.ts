/**
 * The controller's I/O shell: caches fed by list-watch, a work queue of policy keys fed by what
 * each change can affect (triggers.ts), leader election, periodic resync, and reconcile.ts's plans
 * handed to plan-writer.ts. Every replica keeps warm caches; only the leader works the queue.
 */
import type { Logger } from 'pino';
import { DEFAULT_TUNING } from './adaptive.js';
import { compactConfigMap, compactPolicy, compactTelemetry } from './compact.js';
import type { MeshConfigMap } from './compact.js';
import { configMapsPath, policiesPath, telemetriesPath } from './controller-api.js';
import type { ControllerApi } from './controller-api.js';
import { EventRecorder } from './events.js';
import { LeaderElector } from './leader.js';
import { ListWatch } from './list-watch.js';
import type { WatchEventType } from './list-watch.js';
import { MESH_CONFIGMAP, MESH_CONFIGMAP_KEY, parseMeshConfig } from './mesh-config.js';
import type { MeshTracingConfig } from './mesh-config.js';
import { EffectiveSource } from './meshtrace-effective.js';
import { RatesSource } from './meshtrace-rates.js';
import { OwnWrites } from './own-writes.js';
import { PlanWriter, policyRef, telemetryRef } from './plan-writer.js';
import type { SamplingPolicy } from './policy.js';
import { reconcile } from './reconcile.js';
import type { ReconcilePlan, WorkloadFacts } from './reconcile-types.js';
import { stableJson } from './stable-json.js';
import { FIELD_MANAGER } from './telemetry.js';
import type { Telemetry } from './telemetry.js';
import { policyChange, telemetryChange } from './triggers.js';
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
  /** How long one namespace's answer of what its Envoys run is used, ms; default 15 s. */
  readonly effectiveTtlMs?: number;
  /** Called after every reconcile with its duration (the bench's p95). */
  readonly onReconciled?: (key: string, ms: number, error?: unknown) => void;
}

const policyKey = (ns: string, name: string): string => `${ns}/${name}`;
/** How long one answer of meshtrace's report is used. */
const RATES_TTL_MS = 30_000;
/** How long one namespace's answer of what its Envoys run is used; also how soon a policy waiting on its Envoys is looked at again. */
const EFFECTIVE_TTL_MS = 15_000;

export class Controller {
  readonly #api: ControllerApi;
  readonly #o: ControllerOptions;
  readonly policies: ListWatch<SamplingPolicy>;
  readonly telemetries: ListWatch<Telemetry>;
  readonly meshConfig: ListWatch<MeshConfigMap>;
  readonly #queue: WorkQueue;
  readonly #leader: LeaderElector | undefined;
  readonly #events: EventRecorder;
  readonly #ownWrites = new OwnWrites();
  readonly #writer: PlanWriter;
  #resync: NodeJS.Timeout | undefined;
  readonly #rates: RatesSource | undefined;
  readonly #effective: EffectiveSource | undefined;
  readonly #effectiveTtlMs: number;
  /** Per policy waiting on its Envoys: what it wrote, and since when it has been waiting for that. */
  readonly #waitingSince = new Map<string, { readonly written: string; readonly since: number }>();
  #parsedMesh: { resourceVersion: string | undefined; value: MeshTracingConfig } | undefined;

  constructor(api: ControllerApi, options: ControllerOptions) {
    this.#api = api;
    this.#o = options;
    const log = options.log;
    this.#queue = new WorkQueue((key) => this.#work(key), options.concurrency);
    this.#events = new EventRecorder((body) => api.createEvent(body), { component: FIELD_MANAGER, log });
    this.#writer = new PlanWriter({ api, ownWrites: this.#ownWrites, events: this.#events, cachedTelemetry: (ns, name) => this.telemetries.get(ns, name) });
    this.#rates = options.meshtraceUrl === undefined ? undefined : new RatesSource({
      url: options.meshtraceUrl, token: options.meshtraceToken, windowMs: options.adaptiveWindowMs, ttlMs: Math.min(RATES_TTL_MS, options.adaptiveIntervalMs), log,
    });
    this.#effectiveTtlMs = options.effectiveTtlMs ?? EFFECTIVE_TTL_MS;
    this.#effective = options.meshtraceUrl === undefined ? undefined : new EffectiveSource({
      url: options.meshtraceUrl, token: options.meshtraceToken, ttlMs: this.#effectiveTtlMs, log,
    });
    this.policies = new ListWatch(api, {
      path: policiesPath(), compact: compactPolicy, log,
      onEvent: (type, p, previous) => this.#policyChanged(type, p, previous),
    });
    this.telemetries = new ListWatch(api, {
      path: telemetriesPath(), compact: compactTelemetry, log,
      onEvent: (type, t, previous) => this.#telemetryChanged(type, t, previous),
    });
    this.meshConfig = new ListWatch<MeshConfigMap>(api, {
      path: configMapsPath(options.rootNamespace), fieldSelector: `metadata.name=${MESH_CONFIGMAP}`, compact: compactConfigMap, log,
      onEvent: () => this.#enqueueAll(),
    });
    this.#leader = options.leaderElection ? new LeaderElector(api, {
      namespace: options.leaseNamespace, name: options.leaseName, identity: options.identity, log,
      ...(options.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
      onStartedLeading: () => { this.#queue.resume(); this.#enqueueAll(); },
      onStoppedLeading: () => this.#queue.pause(),
    }) : undefined;
  }

  async start(): Promise<void> {
    await Promise.all([this.meshConfig.start(), this.telemetries.start(), this.policies.start()]);
    this.#o.log.info({ policies: this.policies.size, telemetries: this.telemetries.size }, 'caches synced');
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
    await this.#events.flush(Math.min(graceMs, 2000));
    this.policies.stop();
    this.telemetries.stop();
    this.meshConfig.stop();
    this.#api.close();
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

  /** The policies of a namespace that `affects` picks. */
  #enqueueOthers(namespace: string, affects: (p: SamplingPolicy) => boolean): void {
    for (const p of this.policies.list(namespace)) if (affects(p)) this.#queue.add(policyKey(namespace, p.metadata.name));
  }

  /** The policy itself unless only its status changed or the change is our own; others at its scope when that changed (the older of two at one scope wins). */
  #policyChanged(type: WatchEventType, p: SamplingPolicy, previous: SamplingPolicy | undefined): void {
    const affected = policyChange(type, p, previous);
    const key = policyKey(p.metadata.namespace, p.metadata.name);
    const enqueue = (): void => { if (affected.own) this.#queue.add(key); };
    const ref = policyRef(p.metadata.namespace, p.metadata.name);
    if (type === 'DELETED') { this.#ownWrites.forget(ref); enqueue(); } else this.#ownWrites.unlessOwn(ref, p.metadata.resourceVersion, enqueue);
    this.#enqueueOthers(p.metadata.namespace, affected.others);
  }

  /** Its writer (unless the change is the writer's own), and the policies whose pods it may select: it may conflict with or override them. */
  #telemetryChanged(type: WatchEventType, t: Telemetry, previous: Telemetry | undefined): void {
    const affected = telemetryChange(type, t, previous);
    const ref = telemetryRef(t.metadata.namespace, t.metadata.name);
    const enqueueOwner = (): void => { if (affected.own && affected.owner !== undefined) this.#queue.add(policyKey(t.metadata.namespace, affected.owner)); };
    if (type === 'DELETED') { this.#ownWrites.forget(ref); enqueueOwner(); } else this.#ownWrites.unlessOwn(ref, t.metadata.resourceVersion, enqueueOwner);
    this.#enqueueOthers(t.metadata.namespace, affected.others);
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
      const [namespace, name] = key.split('/') as [string, string];
      const policy = this.policies.get(namespace, name);
      if (policy !== undefined && policy.metadata.deletionTimestamp === undefined) await this.#writer.reportFailure(policy, err);
      this.#queue.retry(key);
    }
  }

  async #reconcileKey(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const policy = this.policies.get(namespace, name);
    if (policy === undefined) {
      this.#waitingSince.delete(key);
      await this.#writer.deleteWritten(namespace, name);
      return;
    }
    if (policy.metadata.deletionTimestamp !== undefined) return this.#writer.finalize(policy);
    const finalizer = this.#writer.addFinalizer(policy);
    finalizer?.catch(() => undefined); // awaited with the Telemetries; this only keeps an early failure from going unhandled
    const [workloads, rates, effective] = await Promise.all([this.#workloads(policy), this.#rates?.get(), this.#effective?.get(namespace)]);
    const plan = reconcile({
      policy, rootNamespace: this.#o.rootNamespace, mesh: this.#mesh(),
      telemetries: this.telemetries.list(namespace).concat(namespace === this.#o.rootNamespace ? [] : this.telemetries.list(this.#o.rootNamespace)),
      policies: this.policies.list(namespace).filter((p) => p.metadata.name !== name),
      workloads, rates: rates?.get(namespace), effective, nowMs: Date.now(),
      tuning: { ...DEFAULT_TUNING, holdMs: this.#o.adaptiveWindowMs },
    });
    await this.#writer.write(policy, plan, finalizer);
    if (plan.requeueAfterMs !== undefined) this.#queue.addAfter(key, plan.requeueAfterMs + 50);
    if (policy.spec.adaptive !== undefined) this.#queue.addAfter(key, this.#o.adaptiveIntervalMs);
    if (this.#waitingOnEnvoys(key, plan)) this.#queue.addAfter(key, this.#effectiveTtlMs + 50);
  }

  /**
   * Whether to look again as soon as meshtrace's answer is renewed: the Envoys do not run what was
   * written yet (Effective=False/Pending or NoProxies), and it was written less than a resync period
   * ago. istiod usually pushes within seconds; past that period the resync is soon enough.
   */
  #waitingOnEnvoys(key: string, plan: ReconcilePlan): boolean {
    const c = plan.status.conditions?.find((x) => x.type === 'Effective');
    if (c === undefined || (c.reason !== 'Pending' && c.reason !== 'NoProxies')) {
      this.#waitingSince.delete(key);
      return false;
    }
    const written = stableJson(plan.status.telemetries ?? []);
    const before = this.#waitingSince.get(key);
    const since = before !== undefined && before.written === written ? before.since : Date.now();
    this.#waitingSince.set(key, { written, since });
    return Date.now() - since < this.#o.resyncMs;
  }

  /** The mesh config, parsed once per version of the ConfigMap rather than once per reconcile. */
  #mesh(): MeshTracingConfig {
    const cm = this.meshConfig.get(this.#o.rootNamespace, MESH_CONFIGMAP);
    const resourceVersion = cm?.metadata.resourceVersion;
    if (this.#parsedMesh === undefined || this.#parsedMesh.resourceVersion !== resourceVersion) {
      const value = parseMeshConfig(cm?.data?.[MESH_CONFIGMAP_KEY]);
      if (value.problems.length > 0) this.#o.log.warn({ problems: value.problems }, 'mesh config problems');
      this.#parsedMesh = { resourceVersion, value };
    }
    return this.#parsedMesh.value;
  }

  async #workloads(policy: SamplingPolicy): Promise<WorkloadFacts[] | undefined> {
    if (!this.#o.inspectPods) return undefined;
    const labels = policy.spec.target?.matchLabels;
    const selector = labels === undefined ? undefined : Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    try {
      return workloadsFromPods(await this.#api.listPodMetadata(policy.metadata.namespace, selector));
    } catch (err) {
      this.#o.log.debug({ err: String(err) }, 'cannot list pods; per-workload status skipped');
      return undefined;
    }
  }
}
