/**
 * Carries out reconcile.ts's plans against the API server: the finalizer, Telemetries by
 * server-side apply, the policy's status and Events, and the clean-up when a policy goes. Writes
 * go through OwnWrites, so their echoes on the watches are not taken for new changes.
 */
import { compactTelemetry } from './compact.js';
import { telemetriesPath } from './controller-api.js';
import type { ControllerApi } from './controller-api.js';
import { upToDate } from './desired.js';
import type { EventRecorder } from './events.js';
import type { OwnWrites } from './own-writes.js';
import { POLICY_FINALIZER, PREVIOUS_SPEC_ANNOTATION } from './policy.js';
import type { SamplingPolicy, SamplingPolicyStatus } from './policy.js';
import { cleanupTargets } from './reconcile.js';
import { statusOf } from './retry.js';
import type { ReconcilePlan } from './reconcile-types.js';
import { stableJson } from './stable-json.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

export interface PlanWriterDeps {
  readonly api: ControllerApi;
  readonly ownWrites: OwnWrites;
  readonly events: EventRecorder;
  /** The Telemetry as cached, to skip applying what is already there. */
  readonly cachedTelemetry: (namespace: string, name: string) => Telemetry | undefined;
}

/** Merge patch of status: keys the new status lacks are removed, not left behind. */
function statusPatch(status: SamplingPolicyStatus): Record<string, unknown> {
  return { boost: null, workloads: null, telemetries: null, effective: null, effectiveOmitted: null, ...status };
}

export const policyRef = (namespace: string, name: string): string => `policy:${namespace}/${name}`;
export const telemetryRef = (namespace: string, name: string): string => `telemetry:${namespace}/${name}`;

export class PlanWriter {
  readonly #d: PlanWriterDeps;

  constructor(deps: PlanWriterDeps) {
    this.#d = deps;
  }

  /**
   * Adds the finalizer, when missing. Started before the plan is written rather than awaited
   * first: one round trip less on a new policy. Should the policy be deleted before the
   * finalizer lands, its Telemetries are deleted all the same (deleteWritten).
   */
  addFinalizer(policy: SamplingPolicy): Promise<unknown> | undefined {
    const { namespace, name, finalizers = [], resourceVersion } = policy.metadata;
    if (finalizers.includes(POLICY_FINALIZER)) return undefined;
    return this.#d.ownWrites.track(policyRef(namespace, name), () =>
      this.#d.api.patchPolicy(namespace, name, { metadata: { finalizers: [...finalizers, POLICY_FINALIZER], resourceVersion } }));
  }

  /** Writes the plan; the status last, once the Telemetries and the finalizer are in place. */
  async write(policy: SamplingPolicy, plan: ReconcilePlan, finalizer: Promise<unknown> | undefined): Promise<void> {
    const { api, ownWrites, events, cachedTelemetry } = this.#d;
    const { namespace, name } = policy.metadata;
    const telemetries = (async () => {
      // An apply that changes nothing may return someone else's version of the Telemetry (see
      // OwnWrites); harmless here: every field we own is then as wanted, so its writer has nothing
      // to do, and the other policies it may affect are queued regardless (run.ts).
      for (const t of plan.apply) {
        if (!upToDate(t, cachedTelemetry(namespace, t.metadata.name))) await ownWrites.track(telemetryRef(namespace, t.metadata.name), () => api.applyTelemetry(t));
      }
      for (const n of plan.delete) await api.deleteTelemetry(namespace, n);
    })();
    // Both settle before anything fails: a retry must not overlap writes still in flight.
    const failed = (await Promise.allSettled([telemetries, finalizer])).find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (plan.restoreSpec !== undefined) {
      await api.patchPolicy(namespace, name, {
        metadata: { annotations: { [PREVIOUS_SPEC_ANNOTATION]: null } },
        spec: { fixed: null, adaptive: null, boost: null, ...plan.restoreSpec },
      });
    }
    // Not tracked as our own write: its echo changes only status, which triggers.ts already
    // ignores; and a status the cache had not caught up with is a patch that changes nothing,
    // which returns the version of whatever changed last, say a deletion, that would then be
    // taken for our echo and never reconciled.
    if (stableJson(plan.status) !== stableJson(policy.status ?? {})) await api.patchPolicyStatus(namespace, name, statusPatch(plan.status));
    for (const e of plan.events) events.record(policy, e);
  }

  /** The finalizer path: delete this policy's Telemetries ourselves (no garbage collector is assumed), then let it go. */
  async finalize(policy: SamplingPolicy): Promise<void> {
    const { namespace, name, finalizers = [], resourceVersion } = policy.metadata;
    if (!finalizers.includes(POLICY_FINALIZER)) return;
    const removed = await this.deleteWritten(namespace, name);
    try {
      await this.#d.api.patchPolicy(namespace, name, { metadata: { finalizers: finalizers.filter((f) => f !== POLICY_FINALIZER), resourceVersion } });
    } catch (err) {
      // Already gone: an earlier pass removed the finalizer and the cache had not seen it yet.
      if (statusOf(err) === 404) return;
      throw err;
    }
    this.#d.events.record(policy, { type: 'Normal', reason: 'Deleted', message: `removed ${removed} Telemetry` });
  }

  /** Deletes every Telemetry the policy wrote, as the API server lists them now (the cache may lag); returns how many. */
  async deleteWritten(namespace: string, name: string): Promise<number> {
    const { api } = this.#d;
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${POLICY_LABEL}=${name}`;
    const fresh = await api.retry(() => api.listAll(telemetriesPath(namespace), { labelSelector: selector }, compactTelemetry));
    const targets = cleanupTargets({ metadata: { namespace, name } }, fresh.items);
    for (const t of targets) await api.deleteTelemetry(namespace, t);
    return targets.length;
  }

  /** Ready=False/ReconcileFailed and a warning Event, best effort: the retry carries on regardless. */
  async reportFailure(policy: SamplingPolicy, err: unknown): Promise<void> {
    const { namespace, name } = policy.metadata;
    const message = String(err).split('\n')[0]!.slice(0, 500);
    this.#d.events.record(policy, { type: 'Warning', reason: 'ReconcileFailed', message });
    try {
      const now = new Date().toISOString();
      const conditions = (policy.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
      await this.#d.api.patchPolicyStatus(namespace, name, { conditions: [{ type: 'Ready', status: 'False', reason: 'ReconcileFailed', message, lastTransitionTime: now }, ...conditions] });
    } catch {
      // The API server is what failed; the event and the retry carry on.
    }
  }
}
