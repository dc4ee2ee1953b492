/**
 * The part of Istio's Telemetry resource (telemetry.istio.io) that sampling touches, and the
 * labels that mark the ones meshtrace wrote.
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 * The CRD serves v1 and v1alpha1 with identical schemas (v1alpha1 is the storage version in
 * Istio's chart), so the controller writes v1 and reads whichever the API server returns.
 */
import type { ObjectMeta } from './policy.js';

export const TELEMETRY_GROUP = 'telemetry.istio.io';
export const TELEMETRY_VERSION = 'v1';
export const TELEMETRY_PLURAL = 'telemetries';
export const TELEMETRY_API_VERSION = `${TELEMETRY_GROUP}/${TELEMETRY_VERSION}`;

export const FIELD_MANAGER = 'meshtrace-controller';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'meshtrace';
export const POLICY_LABEL = 'meshtrace.io/policy';
export const WORKLOAD_LABEL = 'meshtrace.io/workload';

/** Label istio-proxy injection puts on every pod; the workload name meshtrace reports use. */
export const CANONICAL_NAME_LABEL = 'service.istio.io/canonical-name';

export type WorkloadMode = 'CLIENT_AND_SERVER' | 'CLIENT' | 'SERVER';

export interface TracingEntry {
  readonly match?: { readonly mode?: WorkloadMode };
  readonly providers?: readonly { readonly name: string }[];
  readonly randomSamplingPercentage?: number;
  readonly disableSpanReporting?: boolean;
}

export interface TelemetrySpec {
  readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  readonly targetRefs?: readonly unknown[];
  readonly tracing?: readonly TracingEntry[];
}

export interface Telemetry {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly ownerReferences?: readonly OwnerReference[] };
  readonly spec?: TelemetrySpec;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** The policy that wrote this Telemetry, or undefined when meshtrace did not. */
export function managingPolicy(t: Telemetry): string | undefined {
  const labels = t.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE ? labels[POLICY_LABEL] : undefined;
}

/** Selector labels, undefined for a namespace-wide Telemetry (no selector, or an empty one). */
export function selectorOf(t: Telemetry): Readonly<Record<string, string>> | undefined {
  const labels = t.spec?.selector?.matchLabels;
  return labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined;
}

export function sameSelector(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

export function selects(selector: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => podLabels[k] === v);
}

/** Waypoint/gateway Telemetries (targetRefs) do not apply to sidecars by selector. */
export function hasTargetRefs(t: Telemetry): boolean {
  return (t.spec?.targetRefs?.length ?? 0) > 0;
}

export function telemetryKey(t: { readonly metadata: { readonly namespace: string; readonly name: string } }): string {
  return `${t.metadata.namespace}/${t.metadata.name}`;
}
