/**
 * The Telemetry objects a valid policy wants, as server-side-apply bodies: named after the policy,
 * labelled as meshtrace's and owned by the policy so garbage collection (where it runs) removes
 * them with it.
 */
import { createHash } from 'node:crypto';
import { POLICY_API_VERSION, POLICY_KIND } from './policy.js';
import type { SamplingPolicy, ValidPolicy } from './policy.js';
import { stableJson } from './stable-json.js';
import {
  CANONICAL_NAME_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL, TELEMETRY_API_VERSION, WORKLOAD_LABEL,
} from './telemetry.js';
import type { Telemetry, TracingEntry } from './telemetry.js';

export interface DesiredTelemetry {
  readonly telemetry: Telemetry;
  readonly percentage: number;
  readonly selector: Readonly<Record<string, string>> | undefined;
  /** Set for adaptive per-workload Telemetries. */
  readonly workload?: string;
}

const MAX_NAME = 253;

/** `meshtrace-<policy>[-<workload>]`, shortened with a hash when it would exceed 253 characters. */
export function telemetryName(policyName: string, workload?: string): string {
  const full = workload === undefined ? `meshtrace-${policyName}` : `meshtrace-${policyName}-${workload.toLowerCase()}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, MAX_NAME - 11).replace(/[-.]+$/, '')}-${hash}`;
}

export function buildTelemetry(policy: SamplingPolicy, valid: ValidPolicy, percentage: number, workload?: string): DesiredTelemetry {
  const selector = workload === undefined ? valid.matchLabels : { ...valid.matchLabels, [CANONICAL_NAME_LABEL]: workload };
  const entry: TracingEntry = {
    ...(valid.provider !== undefined ? { providers: [{ name: valid.provider }] } : {}),
    randomSamplingPercentage: percentage,
  };
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [POLICY_LABEL]: valid.name };
  if (workload !== undefined) labels[WORKLOAD_LABEL] = workload;
  const telemetry: Telemetry = {
    apiVersion: TELEMETRY_API_VERSION,
    kind: 'Telemetry',
    metadata: {
      name: telemetryName(valid.name, workload), namespace: valid.namespace, labels,
      ...(policy.metadata.uid !== undefined ? {
        ownerReferences: [{ apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, name: valid.name, uid: policy.metadata.uid, controller: true, blockOwnerDeletion: true }],
      } : {}),
    },
    spec: { ...(selector !== undefined ? { selector: { matchLabels: selector } } : {}), tracing: [entry] },
  };
  return { telemetry, percentage, selector, ...(workload !== undefined ? { workload } : {}) };
}

/**
 * Whether the Telemetry as cached already says what `desired` says (spec, owner, and our labels),
 * so applying it again would change nothing.
 */
export function upToDate(desired: Telemetry, cached: Telemetry | undefined): boolean {
  if (cached === undefined) return false;
  const labelsMatch = Object.entries(desired.metadata.labels ?? {}).every(([k, v]) => cached.metadata.labels?.[k] === v);
  const ownerMatch = stableJson(desired.metadata.ownerReferences ?? []) === stableJson(cached.metadata.ownerReferences ?? []);
  return labelsMatch && ownerMatch && stableJson(cached.spec ?? {}) === stableJson(desired.spec ?? {});
}
