/**
 * The running pods of a topology: names, IPs and node ids as Kubernetes and Istio make them, each
 * with its own clock offset and its own buffer of reported spans.
 */
import type { Random } from './random.js';
import { GATEWAY } from './topology.js';
import type { Topology } from './topology.js';
import type { SimSpan } from './types.js';

export type Role = 'gateway' | 'originator' | 'service';

export interface Pod {
  readonly workload: string;
  readonly namespace: string;
  readonly role: Role;
  readonly version: string;
  readonly name: string;
  readonly ip: string;
  /** `<ip>:<port>` of the app's serving port: `upstream_address` towards it. */
  readonly address: string;
  /** Envoy `node_id`: `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`, `router~...` for gateways. */
  readonly nodeId: string;
  readonly zone: string;
  /** Added to every timestamp the pod reports, inbound and outbound alike. */
  readonly skewUs: number;
  /** Shared by every span of the pod: `<app>.<ns>` and the pod IP (§1.3). */
  readonly endpoint: { readonly serviceName: string; readonly ipv4: string; readonly port: number };
  /** Emitted spans and the real time each ended (when Envoy buffered it). */
  readonly spans: SimSpan[];
  readonly ends: number[];
}

// Kubernetes' alphabet for generated name suffixes: no vowels, no look-alike digits.
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const ZONES = ['us-east-2a', 'us-east-2b', 'us-east-2c'];

function suffix(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_CHARS[random.int(0, NAME_CHARS.length - 1)]!;
  return out;
}

interface PodSpec { readonly workload: string; readonly namespace: string; readonly role: Role; readonly port: number; readonly pods: readonly string[] }

export class PodFactory {
  readonly #random: Random;
  readonly #skewUs: number;
  #count = 0;

  constructor(random: Random, clockSkewMs: number) {
    this.#random = random;
    this.#skewUs = clockSkewMs * 1000;
  }

  podsOf(spec: PodSpec): Pod[] {
    const r = this.#random;
    // Bookinfo names a Deployment per version (`reviews-v2`); one ReplicaSet hash per Deployment.
    const deploymentHash = new Map<string, string>();
    return spec.pods.map((version) => {
      const deployment = spec.role === 'service' && spec.pods.some((v) => v !== spec.pods[0]) ? `${spec.workload}-${version}` : spec.workload;
      let hash = deploymentHash.get(deployment);
      if (hash === undefined) deploymentHash.set(deployment, hash = suffix(r, 10));
      const name = `${deployment}-${hash}-${suffix(r, 5)}`;
      const n = this.#count++;
      const ip = `10.244.${n % 4}.${10 + Math.floor(n / 4)}`;
      const type = spec.role === 'gateway' ? 'router' : 'sidecar';
      // Drawn even when the skew is 0, so a run with skew differs from one without only in clocks.
      const skewUs = Math.round((2 * r.next() - 1) * this.#skewUs);
      return {
        workload: spec.workload, namespace: spec.namespace, role: spec.role, version, name, ip, address: `${ip}:${spec.port}`,
        nodeId: `${type}~${ip}~${name}.${spec.namespace}~${spec.namespace}.svc.cluster.local`,
        zone: ZONES[n % ZONES.length]!, skewUs,
        endpoint: { serviceName: `${spec.workload}.${spec.namespace}`, ipv4: ip, port: 0 },
        spans: [], ends: [],
      };
    });
  }
}

/** Every pod of the topology by workload name: gateway first, then services, then the originator. */
export function podsOf(topology: Topology, factory: PodFactory): Map<string, Pod[]> {
  const byWorkload = new Map<string, Pod[]>();
  byWorkload.set(GATEWAY.name, factory.podsOf({ workload: GATEWAY.name, namespace: GATEWAY.namespace, role: 'gateway', port: GATEWAY.port, pods: GATEWAY.pods }));
  for (const w of topology.workloads) byWorkload.set(w.name, factory.podsOf({ workload: w.name, namespace: w.namespace, role: 'service', port: w.port, pods: w.pods }));
  const o = topology.originator;
  byWorkload.set(o.name, factory.podsOf({ workload: o.name, namespace: o.namespace, role: 'originator', port: 8080, pods: o.pods }));
  return byWorkload;
}
