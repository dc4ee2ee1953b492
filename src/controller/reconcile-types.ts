/** What the reconciler sees and what it asks the I/O shell to do. */
import type { AdaptiveTuning } from './adaptive.js';
import type { PolicyEvent } from './conditions.js';
import type { WorkloadEnvoys } from './effective-rates.js';
import type { MeshTracingConfig } from './mesh-config.js';
import type { SamplingPolicy, SamplingPolicySpec, SamplingPolicyStatus } from './policy.js';
import type { PodFacts } from './precedence.js';
import type { Telemetry } from './telemetry.js';

/** One workload the policy targets, represented by one of its pods. */
export interface WorkloadFacts {
  /** Canonical service name, as meshtrace reports it. */
  readonly name: string;
  readonly pod: PodFacts;
}

/** What meshtrace observed about a workload over the measurement window. */
export interface WorkloadRate {
  readonly role: 'service' | 'gateway' | 'originator';
  /** Sampled traces the workload started per second. */
  readonly tracesPerSecond: number;
  /** Calls it made that started new traces although it was serving a request (broken propagation). */
  readonly rootCalls: number;
}

/**
 * What the Envoys of the policy's namespace run, per workload, as meshtrace's xDS view has it; or
 * why that is unknown (meshtrace unreachable, a bad answer).
 */
export type EnvoyView =
  | { readonly workloads: ReadonlyMap<string, WorkloadEnvoys> }
  | { readonly unavailable: string };

export interface ObservedState {
  readonly policy: SamplingPolicy;
  readonly rootNamespace: string;
  readonly mesh: MeshTracingConfig;
  /** Every Telemetry in the policy's namespace and the root namespace. */
  readonly telemetries: readonly Telemetry[];
  /** Every other SamplingPolicy in the policy's namespace. */
  readonly policies: readonly SamplingPolicy[];
  /** Workloads the target selects; undefined when pods could not be listed. */
  readonly workloads: readonly WorkloadFacts[] | undefined;
  /** Per workload name in the policy's namespace; undefined without --meshtrace-url. */
  readonly rates: ReadonlyMap<string, WorkloadRate> | undefined;
  /** What the namespace's Envoys run; undefined without --meshtrace-url. */
  readonly effective?: EnvoyView | undefined;
  readonly nowMs: number;
  readonly tuning: AdaptiveTuning;
}

export interface ReconcilePlan {
  /** Server-side apply bodies. */
  readonly apply: readonly Telemetry[];
  /** Names (in the policy's namespace) of Telemetries this policy wrote and no longer wants. */
  readonly delete: readonly string[];
  readonly status: SamplingPolicyStatus;
  readonly events: readonly PolicyEvent[];
  /** Replace the policy's spec with this one (boost over, previous spec saved). */
  readonly restoreSpec?: SamplingPolicySpec;
  /** Reconcile again after this long even without a change (boost expiry). */
  readonly requeueAfterMs?: number;
}
