/**
 * Pods grouped into workloads named the way Istio (and so meshtrace's report) names them: the
 * canonical service, which sidecar injection derives from these labels in this order.
 */
import type { PodFacts } from './precedence.js';
import type { WorkloadFacts } from './reconcile-types.js';
import { CANONICAL_NAME_LABEL } from './telemetry.js';

/** The part of a pod read here: its metadata (client-node's V1Pod, or a metadata-only list item). */
export interface PodMetadata {
  readonly metadata?: {
    readonly name?: string; readonly namespace?: string; readonly deletionTimestamp?: unknown;
    readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>>;
  } | undefined;
}

const NAME_LABELS = [CANONICAL_NAME_LABEL, 'app.kubernetes.io/name', 'app'];

function isGateway(labels: Readonly<Record<string, string>>): boolean {
  return labels.istio === 'ingressgateway' || labels.istio === 'egressgateway' || labels['gateway.istio.io/managed'] !== undefined;
}

/** The pod name without its ReplicaSet and pod suffixes (`reviews-v1-5b4f9c7d8-x2k4p` → `reviews-v1`). */
function nameFromPod(name: string): string {
  return name.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, '').replace(/-[a-z0-9]{5}$/, '');
}

export function podFacts(pod: PodMetadata): PodFacts & { readonly workload: string } {
  const labels = pod.metadata?.labels ?? {};
  const name = pod.metadata?.name ?? '';
  const workload = NAME_LABELS.map((l) => labels[l]).find((v) => v !== undefined && v !== '') ?? nameFromPod(name);
  return { namespace: pod.metadata?.namespace ?? '', name, labels, annotations: pod.metadata?.annotations ?? {}, gateway: isGateway(labels), workload };
}

/** One representative pod per workload, oldest first so the choice is stable across resyncs. */
export function workloadsFromPods(pods: readonly PodMetadata[]): WorkloadFacts[] {
  const byName = new Map<string, WorkloadFacts>();
  const sorted = [...pods].filter((p) => p.metadata?.deletionTimestamp === undefined)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const p of sorted) {
    const facts = podFacts(p);
    if (!byName.has(facts.workload)) byName.set(facts.workload, { name: facts.workload, pod: facts });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
