/**
 * What the audit keeps of a settled trace: the sidecar spans that matter for propagation, reduced
 * to small records. Inbound SERVER spans are the windows an application was busy serving a
 * request; outbound CLIENT spans are its calls, either parented (context forwarded) or roots
 * (context lost, ENVOY-ISTIO.md §4.3). Everything else (SDK spans, gateways' own spans) only
 * counts towards mesh-wide hints.
 */
import type { MeshIdentity, Span } from '../model/index.js';
import { OBSERVABLE_LIMIT_US, heldDuration, startHigh, startLow, withHeldRootTimes, withHeldTimes } from './held-times.js';
import type { RootClass } from './resolve.js';

/** `namespace/workload`: the unit verdicts are given for. */
export type WorkloadKey = string;

export function workloadKey(namespace: string | undefined, workload: string): WorkloadKey {
  return `${namespace ?? 'unknown'}/${workload}`;
}

/** Which mesh provider's headers the spans came through (and so which headers apps must forward). */
export type ProviderKind = 'zipkin' | 'opentelemetry';

export interface InboundObservation {
  readonly traceId: string;
  readonly spanId: string;
  /** Envoy `node_id`: one pod's sidecar, and so one clock. */
  readonly pod: string;
  readonly workload: WorkloadKey;
  readonly startUs: number;
  readonly endUs: number;
  readonly requestId: string | undefined;
  /** Outbound CLIENT spans of the same pod parented on this span. */
  readonly outboundChildren: number;
  /**
   * The root call this window was chosen for (by time alone), and any more to other callees: a
   * request usually calls a given service once, so a window already explaining a root call to
   * that service is a worse candidate for the next. Kept on the window, not in a map keyed by
   * span id and callee, so a claim costs no key string and goes when the window does.
   */
  claim: RootCall | undefined;
  moreClaims: RootCall[] | undefined;
}

/** What every outbound call's observation holds. */
interface CallFields {
  readonly traceId: string;
  readonly spanId: string;
  readonly pod: string;
  readonly workload: WorkloadKey;
  /** `namespace/service` of the called host, from the outbound cluster name. */
  readonly callee: string;
  readonly startUs: number;
  readonly endUs: number;
  readonly requestId: string | undefined;
}

/** A call whose trace context was forwarded: only counted, and dropped at once. */
export interface ParentedCall extends CallFields {
  readonly root: false;
  /** For a call parented on a request of the same pod: µs from that request's start to the call. */
  readonly delayUs: number | undefined;
  /** For the same: µs from the call's end to that request's end (the app's work after the call). */
  readonly tailUs: number | undefined;
}

/**
 * A call that started a trace: the application did not forward the trace context. Held for the
 * audit's retention, with which request it came from: the resolution fields are undefined until
 * it is resolved, and change whenever a new inbound window may change the answer. They live on
 * the call itself because a held root is most of what the audit keeps: a wrapper and a
 * resolution object of their own were two more objects per root for the collector to trace.
 */
export interface RootCall extends CallFields {
  readonly root: true;
  resolvedAs: RootClass | undefined;
  /** The most likely parent request, when there is a candidate. */
  parent: InboundObservation | undefined;
  /** See `RootResolution.choiceProbability`. Held roots keep it as a small integer (held-times.ts). */
  choiceProbability: number;
}

export type OutboundObservation = ParentedCall | RootCall;

/** The root call that holds `window`'s claim for `callee`, if any. */
export function claimOf(window: InboundObservation, callee: string): RootCall | undefined {
  if (window.claim === undefined || window.claim.callee === callee) return window.claim;
  return window.moreClaims?.find((r) => r.callee === callee);
}

/** Records that `root` claimed `window` for its callee, unless another root already has. */
export function addClaim(window: InboundObservation, root: RootCall): void {
  if (window.claim === undefined) {
    window.claim = root;
    return;
  }
  if (claimOf(window, root.callee) !== undefined) return;
  // A literal of one: an empty array grown by a push reserves room for 17.
  if (window.moreClaims === undefined) window.moreClaims = [root];
  else window.moreClaims.push(root);
}

/** Drops `root`'s claim on its parent window, if it holds it. */
export function dropClaim(root: RootCall): void {
  const window = root.parent;
  if (window === undefined) return;
  if (window.claim === root) {
    window.claim = window.moreClaims?.shift();
    if (window.moreClaims?.length === 0) window.moreClaims = undefined;
  } else if (window.moreClaims !== undefined) {
    const i = window.moreClaims.indexOf(root);
    if (i >= 0) window.moreClaims.splice(i, 1);
    if (window.moreClaims.length === 0) window.moreClaims = undefined;
  }
}

export interface TraceObservations {
  inbound: InboundObservation[];
  outbound: OutboundObservation[];
  /** Gateway workloads seen (roots there are where traces are supposed to start). */
  readonly gateways: WorkloadKey[];
  readonly provider: ProviderKind | undefined;
  readonly traceIdBits: 64 | 128;
  /** Sidecar spans left out because they start before 1970 or absurdly far ahead (see held-times.ts). */
  readonly unobservable: number;
}

/** `reviews.default.svc.cluster.local` → `default/reviews`; other hosts are kept as they are. */
export function calleeOf(host: string | undefined, fallbackNamespace: string | undefined): string {
  if (host === undefined) return 'unknown';
  const labels = host.split('.');
  if (labels.length >= 2 && (labels.length === 2 || labels[2] === 'svc')) return `${labels[1]}/${labels[0]}`;
  return labels.length === 1 ? `${fallbackNamespace ?? 'unknown'}/${host}` : host;
}

function providerOf(span: Span): ProviderKind {
  return span.source.startsWith('zipkin') ? 'zipkin' : 'opentelemetry';
}

/** What the audit derives from a sidecar's identity; identities are shared by many spans, so derive once. */
interface Who { readonly workload: WorkloadKey; readonly pod: string; readonly callee: string }

const whoCache = new WeakMap<MeshIdentity, Who>();
/** The last identity asked about, and its answer: a trace's spans often come from one sidecar in a row. */
let lastMesh: MeshIdentity | undefined;
let lastWho: Who | undefined;

function who(mesh: MeshIdentity & { readonly workload: string }): Who {
  if (mesh === lastMesh) return lastWho!;
  let w = whoCache.get(mesh);
  if (w === undefined) {
    const workload = workloadKey(mesh.namespace, mesh.workload);
    w = { workload, pod: mesh.nodeId ?? mesh.podName ?? workload, callee: calleeOf(mesh.upstreamHost, mesh.namespace) };
    whoCache.set(mesh, w);
  }
  lastMesh = mesh;
  lastWho = w;
  return w;
}

/**
 * A gateway span that stands for one call to a service: its upstream CLIENT span, or its only span
 * when it reports none (`spawn_upstream_span` off: one SERVER span naming the upstream cluster).
 */
function isGatewayCall(spans: readonly Span[], s: Span): boolean {
  if (s.mesh?.upstreamHost === undefined) return false;
  if (s.kind === 'CLIENT') return true;
  return s.kind === 'SERVER' && !spans.some((c) => c.parentId === s.id && c.kind === 'CLIENT' && c.mesh?.role === 'gateway');
}

/**
 * An outbound call's observation. Roots are held for the audit's retention; every other call is
 * only counted and dropped at once. They are built at two sites on purpose: V8 allocates a
 * site's objects straight into the old generation (pretenuring) once nearly all of them live
 * long, so the site of roots alone qualifies, and its objects skip the young-generation
 * collector's two copies. Built at one site, roots were copied like the rest.
 */
function callObservation(s: Span, w: Who, root: boolean, parent: InboundObservation | undefined): OutboundObservation {
  const startUs = s.timestampUs;
  if (root) {
    return withHeldRootTimes<RootCall>({
      traceId: s.traceId, spanId: s.id, pod: w.pod, workload: w.workload, callee: w.callee,
      startHigh: startHigh(startUs), startLow: startLow(startUs), heldUs: heldDuration(s.durationUs),
      requestId: s.requestId, root: true, resolvedAs: undefined, parent: undefined, choiceUnits: 0,
    });
  }
  const endUs = startUs + s.durationUs;
  return {
    traceId: s.traceId, spanId: s.id, pod: w.pod, workload: w.workload, callee: w.callee,
    startUs, endUs, requestId: s.requestId, root: false,
    delayUs: parent === undefined ? undefined : Math.max(0, startUs - parent.startUs),
    tailUs: parent === undefined ? undefined : Math.max(0, parent.endUs - endUs),
  };
}

function observable(s: Span): boolean {
  return s.timestampUs >= 0 && s.timestampUs < OBSERVABLE_LIMIT_US;
}

/** Reduces one settled trace to its propagation-relevant records. */
export function observeTrace(spans: readonly Span[]): TraceObservations {
  const inboundIndex: number[] = [];
  /** Outbound and gateway spans, in trace order: the calls among them are observed. */
  const callIndex: number[] = [];
  /** Parented outbound spans, to count each request's children without building keyed maps. */
  const parented: number[] = [];
  const gateways: WorkloadKey[] = [];
  let provider: ProviderKind | undefined;
  let traceIdBits: 64 | 128 = 128;
  let unobservable = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const mesh = s.mesh;
    if (mesh === undefined || mesh.workload === undefined) continue;
    if (!observable(s)) {
      unobservable++;
      continue;
    }
    provider ??= providerOf(s);
    traceIdBits = s.traceIdBits;
    if (mesh.role === 'sidecar-inbound') {
      inboundIndex.push(i);
      continue;
    }
    callIndex.push(i);
    if (mesh.role === 'gateway') gateways.push(who(mesh as MeshIdentity & { workload: string }).workload);
    else if (s.parentId !== undefined) parented.push(i);
  }
  const inbound: InboundObservation[] = [];
  // The request each parented call came from, by the call's index in `spans`: an array, since a
  // Map per trace cost more to make than the few lookups it served.
  const parentOf = parented.length === 0 ? undefined : new Array<InboundObservation | undefined>(spans.length);
  for (const i of inboundIndex) {
    const s = spans[i]!;
    const mesh = s.mesh!;
    const { pod, workload } = who(mesh as MeshIdentity & { workload: string });
    const o = withHeldTimes<InboundObservation>({
      traceId: s.traceId, spanId: s.id, pod, workload,
      startHigh: startHigh(s.timestampUs), startLow: startLow(s.timestampUs), heldUs: heldDuration(s.durationUs),
      requestId: s.requestId, outboundChildren: 0, claim: undefined, moreClaims: undefined,
    });
    // Traces are small: a scan beats string keys. A child is a call of the same pod's sidecar.
    for (const c of parented) {
      const child = spans[c]!;
      if (child.parentId === s.id && child.mesh!.nodeId === mesh.nodeId) {
        (o as { outboundChildren: number }).outboundChildren++;
        parentOf![c] = o;
      }
    }
    inbound.push(o);
  }
  const outbound: OutboundObservation[] = [];
  for (const i of callIndex) {
    const s = spans[i]!;
    const mesh = s.mesh!;
    const gatewayCall = mesh.role === 'gateway' && isGatewayCall(spans, s);
    if (mesh.role === 'gateway' && !gatewayCall) continue;
    const w = who(mesh as MeshIdentity & { workload: string });
    // A gateway starting a trace is by design: its calls only draw its edges, never gaps.
    outbound.push(callObservation(s, w, !gatewayCall && s.parentId === undefined, parentOf?.[i]));
  }
  return { inbound, outbound, gateways, provider, traceIdBits, unobservable };
}
