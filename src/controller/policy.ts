/**
 * The SamplingPolicy custom resource (meshtrace.io/v1alpha1): types and the controller's own
 * validation. The CRD carries the same rules as CEL, but API servers older than 1.25 drop those
 * silently, so nothing here trusts that the API server checked anything.
 * @see charts/meshtrace/crds/samplingpolicies.meshtrace.io.yaml
 */
import { parseDuration } from '../config/units.js';

export const POLICY_GROUP = 'meshtrace.io';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_PLURAL = 'samplingpolicies';
export const POLICY_KIND = 'SamplingPolicy';
export const POLICY_API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;

/** Finalizer that makes deletion wait until the policy's Telemetries are gone. */
export const POLICY_FINALIZER = 'meshtrace.io/telemetry-cleanup';
/** Annotation where `kubectl meshtrace boost` saves the spec a boost returns to. */
export const PREVIOUS_SPEC_ANNOTATION = 'meshtrace.io/previous-spec';

/** Longest boost: a forgotten 100% boost must not trace a mesh for days. */
export const MAX_BOOST_MS = 24 * 3_600_000;

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface FixedMode { readonly percentage: number }
export interface AdaptiveMode {
  readonly targetTracesPerSecond: number;
  /** Default 0.01 (Istio's smallest step). */
  readonly minPercentage?: number;
  /** Default 100. */
  readonly maxPercentage?: number;
}
export interface BoostMode {
  readonly percentage: number;
  /** Such as `10m`. */
  readonly duration: string;
  /** RFC 3339; when absent the boost starts when the controller first sees it. */
  readonly startTime?: string;
}

export interface SamplingPolicySpec {
  /** Absent or empty: the whole namespace (the whole mesh in the root namespace). */
  readonly target?: LabelSelector;
  /** An extensionProviders name; absent = inherit. */
  readonly provider?: string;
  readonly fixed?: FixedMode;
  readonly adaptive?: AdaptiveMode;
  readonly boost?: BoostMode;
}

export interface Condition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}
export type ConditionType = 'Ready' | 'Applied' | 'Effective' | 'Conflict' | 'Ineffective';

export interface TelemetryRef { readonly namespace: string; readonly name: string; readonly percentage: number; readonly workload?: string }

export interface WorkloadStatus {
  readonly name: string;
  readonly percentage?: number;
  readonly provider?: string;
  /** Which setting decided the percentage, e.g. `Telemetry istio-system/mesh-default`. */
  readonly source?: string;
  readonly role?: string;
  readonly observedTracesPerSecond?: number;
  readonly lastChangeTime?: string;
}

/** What the Envoys of one workload the policy decides run, from meshtrace's xDS view. */
export interface EffectiveStatus {
  readonly workload: string;
  /** Distinct percentages its Envoys run on the side that decides new traces, ascending; empty: none known or tracing off. */
  readonly percentages: readonly number[];
  /** Envoys meshtrace has config for. */
  readonly proxies: number;
  /** The percentage this policy wrote for it. */
  readonly expected?: number;
  /** Every one of its Envoys runs `expected`. */
  readonly matches: boolean;
}

export interface BoostStatus { readonly startedAt: string; readonly expiresAt: string; readonly expired: boolean }

export interface SamplingPolicyStatus {
  readonly observedGeneration?: number;
  readonly mode?: string;
  readonly target?: string;
  readonly percentage?: string;
  readonly conditions?: readonly Condition[];
  readonly telemetries?: readonly TelemetryRef[];
  readonly workloads?: readonly WorkloadStatus[];
  /** What the Envoys run, per workload the policy decides: at most 50, mismatches first. */
  readonly effective?: readonly EffectiveStatus[];
  /** Workloads compared but left out of `effective`. */
  readonly effectiveOmitted?: number;
  readonly boost?: BoostStatus;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

export interface SamplingPolicy {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec: SamplingPolicySpec;
  readonly status?: SamplingPolicyStatus;
}

export type Mode =
  | { readonly kind: 'fixed'; readonly percentage: number }
  | { readonly kind: 'adaptive'; readonly targetTracesPerSecond: number; readonly minPercentage: number; readonly maxPercentage: number }
  | { readonly kind: 'boost'; readonly percentage: number; readonly durationMs: number; readonly startTime: number | undefined };

/** A policy the controller may act on: its mode resolved, defaults filled in. */
export interface ValidPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly matchLabels: Readonly<Record<string, string>> | undefined;
  readonly provider: string | undefined;
  readonly mode: Mode;
}

export type Validation = { readonly ok: true; readonly policy: ValidPolicy } | { readonly ok: false; readonly errors: readonly string[] };

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  return LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

function isPercentage(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;
}

function checkPercentage(path: string, v: unknown, errors: string[]): number {
  if (!isPercentage(v)) errors.push(`${path}: expected a number from 0 to 100, got ${JSON.stringify(v)}`);
  return typeof v === 'number' ? v : 0;
}

function checkLabels(entries: [string, unknown][], errors: string[]): void {
  if (entries.length === 0) errors.push('spec.target.matchLabels: empty; omit matchLabels to target the whole namespace');
  if (entries.length > 16) errors.push('spec.target.matchLabels: at most 16 labels');
  for (const [k, v] of entries) {
    if (!isLabelKey(k)) errors.push(`spec.target.matchLabels[${JSON.stringify(k)}]: not a valid label key`);
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`spec.target.matchLabels[${JSON.stringify(k)}]: not a valid label value`);
  }
}

function checkSelector(target: unknown, isRootNamespace: boolean, errors: string[]): Record<string, string> | undefined {
  if (target === undefined || target === null) return undefined;
  if (typeof target !== 'object') {
    errors.push('spec.target: expected an object');
    return undefined;
  }
  const labels = (target as LabelSelector).matchLabels;
  if (labels === undefined) return undefined;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    errors.push('spec.target.matchLabels: expected a map of label keys to values');
    return undefined;
  }
  const entries = Object.entries(labels);
  checkLabels(entries, errors);
  // Istio ignores selectors on Telemetry in the root namespace; refusing is more honest than a no-op.
  if (isRootNamespace && entries.length > 0) errors.push('spec.target.matchLabels: Istio ignores selectors in the root namespace; put the policy in the workload\'s namespace');
  return entries.length > 0 ? { ...labels } : undefined;
}

function checkAdaptive(a: AdaptiveMode, errors: string[]): Mode {
  const target = a.targetTracesPerSecond;
  if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0) {
    errors.push(`spec.adaptive.targetTracesPerSecond: expected a positive number, got ${JSON.stringify(target)}`);
  }
  const min = checkPercentage('spec.adaptive.minPercentage', a.minPercentage ?? 0.01, errors);
  const max = checkPercentage('spec.adaptive.maxPercentage', a.maxPercentage ?? 100, errors);
  if (min > max) errors.push(`spec.adaptive: minPercentage ${min} exceeds maxPercentage ${max}`);
  return { kind: 'adaptive', targetTracesPerSecond: target, minPercentage: min, maxPercentage: max };
}

function checkBoost(b: BoostMode, errors: string[]): Mode {
  const percentage = checkPercentage('spec.boost.percentage', b.percentage, errors);
  const durationMs = typeof b.duration === 'string' ? parseDuration(b.duration) : undefined;
  if (durationMs === undefined || durationMs <= 0) errors.push(`spec.boost.duration: expected a duration such as 90s or 10m, got ${JSON.stringify(b.duration)}`);
  else if (durationMs > MAX_BOOST_MS) errors.push('spec.boost.duration: at most 24h');
  let startTime: number | undefined;
  if (b.startTime !== undefined) {
    startTime = typeof b.startTime === 'string' ? Date.parse(b.startTime) : NaN;
    if (Number.isNaN(startTime)) errors.push(`spec.boost.startTime: expected an RFC 3339 time, got ${JSON.stringify(b.startTime)}`);
  }
  return { kind: 'boost', percentage, durationMs: durationMs ?? 0, startTime };
}

function checkMode(spec: SamplingPolicySpec, errors: string[]): Mode | undefined {
  const set = (['fixed', 'adaptive', 'boost'] as const).filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (set.length !== 1) {
    errors.push(`spec: exactly one of fixed, adaptive or boost must be set${set.length > 1 ? ` (found ${set.join(', ')})` : ''}`);
    return undefined;
  }
  if (spec.fixed) return { kind: 'fixed', percentage: checkPercentage('spec.fixed.percentage', spec.fixed.percentage, errors) };
  if (spec.adaptive) return checkAdaptive(spec.adaptive, errors);
  return checkBoost(spec.boost!, errors);
}

/**
 * Every problem with a policy, each with its field path, or the policy in resolved form.
 * `rootNamespace` matters because a selector there would be ignored by Istio.
 */
export function validatePolicy(policy: SamplingPolicy, rootNamespace: string): Validation {
  const errors: string[] = [];
  const spec = policy.spec as SamplingPolicySpec | undefined;
  if (spec === undefined || spec === null || typeof spec !== 'object') return { ok: false, errors: ['spec: missing'] };
  const matchLabels = checkSelector(spec.target, policy.metadata.namespace === rootNamespace, errors);
  if (spec.provider !== undefined && (typeof spec.provider !== 'string' || spec.provider === '')) errors.push('spec.provider: expected a provider name');
  const mode = checkMode(spec, errors);
  if (errors.length > 0 || mode === undefined) return { ok: false, errors };
  return {
    ok: true,
    policy: { namespace: policy.metadata.namespace, name: policy.metadata.name, matchLabels, provider: spec.provider, mode },
  };
}

/** Istio's DoubleValue percentages are honoured to 0.01; rounding here keeps diffs stable. */
export function roundPercentage(p: number): number {
  return Math.round(p * 100) / 100;
}

/** `app=reviews,version=v2`, or a stable label for whole-namespace targets. */
export function describeTarget(matchLabels: Readonly<Record<string, string>> | undefined, isRootNamespace: boolean): string {
  if (matchLabels === undefined) return isRootNamespace ? 'mesh' : 'namespace';
  return Object.keys(matchLabels).sort().map((k) => `${k}=${matchLabels[k]}`).join(',');
}
