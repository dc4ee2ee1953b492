/**
 * Plays requests through the mesh, hop by hop, the way Istio's proxies see them (ENVOY-ISTIO.md
 * §1-4): the gateway starts every user request's trace; each sidecar continues the trace when the
 * provider's headers reached it and starts a new one (root CLIENT span) when the app dropped them;
 * x-request-id carries the sampling decision across such a break when the app forwarded it.
 *
 * Unsampled requests are walked too, because they take time and may cause sampled broken
 * continuations, but they build no ids, tags or spans.
 */
import { forwarded } from './behaviours.js';
import { Ids, childOf, newRequestId, newTrace, rootOf, samplingThreshold } from './ids.js';
import type { RequestId, SpanRef, Trace } from './ids.js';
import type { Pod } from './pods.js';
import type { Random } from './random.js';
import { exchange, proxySpan } from './spans.js';
import type { Exchange } from './spans.js';
import { GATEWAY, serviceHost } from './topology.js';
import type { CallSpec, Handler, Stage, Topology, WorkloadSpec } from './topology.js';
import type { Behaviour, OrphanTruth, Provider, SimSpan } from './types.js';

/** A request as the callee's inbound sidecar receives it: always with context, from the caller's proxy. */
interface Arrival {
  readonly trace: Trace;
  /** The caller proxy's CLIENT span, whose id arrived as the parent. */
  readonly parent: SpanRef;
  readonly rid: RequestId;
  /** Tags of the exchange; only for sampled requests. */
  readonly x: Exchange | undefined;
}

/** An outbound request as the caller's outbound sidecar starts it. */
interface Departure {
  readonly trace: Trace;
  readonly client: SpanRef;
  /** The pod's inbound SERVER span, or undefined when the context was lost (a root CLIENT span). */
  readonly parent: SpanRef | undefined;
  readonly rid: RequestId;
}

/** What the app of a pod holds while it serves one inbound request. */
interface Inbound {
  readonly pod: Pod;
  readonly trace: Trace;
  /** The pod's inbound SERVER span; the inbound sidecar told the app its id as the parent. */
  readonly server: SpanRef;
  readonly rid: RequestId;
}

export interface Counters {
  inboundRequests: number;
  sampledInboundRequests: number;
  outboundCalls: number;
  brokenCalls: number;
}

/** Per Service: how a caller names it and what its proxies call it. */
interface Route {
  readonly spec: WorkloadSpec;
  readonly pods: readonly Pod[];
  readonly operation: string;
  readonly outboundCluster: string;
  readonly inboundCluster: string;
}

export interface EngineOptions {
  readonly provider: Provider;
  readonly samplingPercent: number;
  readonly behaviours: Readonly<Record<string, Behaviour>>;
  readonly seed: number;
}

/** Share of a workload's own time spent before its first outbound call; the rest comes after. */
const PRE_CALL_SHARE = 0.6;
/** How long after its inbound response an app may still start a background call. */
const ASYNC_TAIL_US = 5000;
const BROWSER_AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];

export class Engine {
  readonly orphans: OrphanTruth[] = [];
  readonly counters = new Map<string, Counters>();
  emittedSpans = 0;

  readonly #topology: Topology;
  readonly #pods: ReadonlyMap<string, Pod[]>;
  readonly #routes = new Map<string, Route>();
  readonly #userAgents = new Map<string, string>();
  readonly #provider: Provider;
  readonly #behaviours: Readonly<Record<string, Behaviour>>;
  readonly #threshold: number;
  /** Timing, choices and sampling decisions. */
  readonly #traffic: Random;
  /** Cosmetic tag values, kept apart so they never shift timing. */
  readonly #cosmetic: Random;
  readonly #ids: Ids;

  constructor(topology: Topology, pods: ReadonlyMap<string, Pod[]>, opts: EngineOptions, streams: { traffic: Random; cosmetic: Random; ids: Random }) {
    this.#topology = topology;
    this.#pods = pods;
    this.#provider = opts.provider;
    this.#behaviours = opts.behaviours;
    this.#threshold = samplingThreshold(opts.samplingPercent);
    this.#traffic = streams.traffic;
    this.#cosmetic = streams.cosmetic;
    this.#ids = new Ids(streams.ids, opts.provider);
    for (const name of pods.keys()) this.counters.set(name, { inboundRequests: 0, sampledInboundRequests: 0, outboundCalls: 0, brokenCalls: 0 });
    for (const spec of topology.workloads) {
      const host = serviceHost(spec.name, spec.namespace);
      this.#routes.set(spec.name, {
        spec, pods: pods.get(spec.name)!, operation: `${host}:${spec.port}/*`,
        outboundCluster: `outbound|${spec.port}||${host}`, inboundCluster: `inbound|${spec.port}||`,
      });
      this.#userAgents.set(spec.name, spec.userAgent);
    }
    this.#userAgents.set(topology.originator.name, topology.originator.userAgent);
  }

  /** One user request through the ingress gateway; returns when the gateway answered (real µs). */
  userRequest(startUs: number): number {
    const gateway = this.#traffic.pick(this.#pods.get(GATEWAY.name)!);
    const entry = this.#topology.entry;
    const route = this.#routes.get(entry.workload)!;
    const counters = this.counters.get(GATEWAY.name)!;
    counters.inboundRequests++;
    counters.outboundCalls++;
    // An edge request always gets a fresh x-request-id, and with it a fresh decision (§4.2).
    const rid = newRequestId(this.#traffic, this.#threshold);
    const trace = newTrace(rid.sampled);
    if (trace.sampled) counters.sampledInboundRequests++;
    const server = rootOf(trace);
    // Gateways spawn an upstream span: SERVER for the downstream request, CLIENT child per attempt (§1.1).
    const client = childOf(trace);
    const target = this.#traffic.pick(route.pods);
    const clientStart = startUs + this.#traffic.int(150, 600);
    const x = trace.sampled
      ? exchange(this.#cosmetic, {
        requestId: this.#ids.requestIdText(rid), authority: entry.host, path: entry.path, method: 'GET', grpc: false,
        userAgent: this.#cosmetic.pick(BROWSER_AGENTS), callerIp: gateway.ip,
      })
      : undefined;
    const calleeEnd = this.#serve(target, { trace, parent: client, rid, x }, clientStart + this.#networkUs());
    const clientEnd = calleeEnd + this.#networkUs();
    const serverEnd = clientEnd + this.#traffic.int(50, 300);
    if (x !== undefined) {
      const traceId = this.#ids.traceId(trace);
      const serverId = this.#ids.spanId(server);
      const upstream = target.address;
      const peer = `198.51.100.${this.#cosmetic.int(1, 254)}`;
      this.#emit(gateway, proxySpan(gateway, 'SERVER', { traceId, id: serverId, parentId: undefined }, x, {
        name: entry.operation, startUs, durationUs: serverEnd - startUs, cluster: route.outboundCluster, peerAddress: peer, upstreamAddress: upstream,
      }), serverEnd);
      this.#emit(gateway, proxySpan(gateway, 'CLIENT', { traceId, id: this.#ids.spanId(client), parentId: serverId }, x, {
        name: `router ${route.outboundCluster} egress`, startUs: clientStart, durationUs: clientEnd - clientStart,
        cluster: route.outboundCluster, peerAddress: upstream, upstreamAddress: upstream,
      }), clientEnd);
    }
    return serverEnd;
  }

  /** One timer tick of the originator: a call with no inbound request behind it, so a legitimate root. */
  originatorCall(pod: Pod, startUs: number): void {
    this.counters.get(pod.workload)!.outboundCalls++;
    // The app sends no x-request-id; the outbound sidecar makes one and decides (§4.2).
    const rid = newRequestId(this.#traffic, this.#threshold);
    const trace = newTrace(rid.sampled);
    this.#exchange(pod, { trace, client: rootOf(trace), parent: undefined, rid }, this.#topology.originator.call, startUs);
  }

  #behaviour(workload: string): Behaviour {
    return this.#behaviours[workload] ?? 'forward-all';
  }

  /** One-way latency between two pods, sidecars included. */
  #networkUs(): number {
    return this.#traffic.int(100, 500);
  }

  #serve(pod: Pod, arrival: Arrival, arriveUs: number): number {
    const { trace, parent, rid, x } = arrival;
    const counters = this.counters.get(pod.workload)!;
    counters.inboundRequests++;
    if (trace.sampled) counters.sampledInboundRequests++;
    const route = this.#routes.get(pod.workload)!;
    const inbound: Inbound = { pod, trace, server: childOf(trace), rid };
    const latency = Math.max(50, Math.round(this.#traffic.logNormal(route.spec.latencyMs.median * 1000, route.spec.latencyMs.sigma)));
    const callsFrom = arriveUs + Math.round(latency * PRE_CALL_SHARE);
    let t = callsFrom;
    const background: CallSpec[] = [];
    const handler = this.#handler(route.spec.handlers);
    if (handler !== undefined) {
      for (const stage of handler.stages) t = this.#stage(inbound, stage, t, background);
    }
    const end = t + latency - Math.round(latency * PRE_CALL_SHARE);
    for (const call of background) {
      // Fire-and-forget: issued somewhere in the handler, possibly after the response went out.
      this.#call(inbound, call, callsFrom + Math.floor(this.#traffic.next() * (end - callsFrom + ASYNC_TAIL_US)), true);
    }
    if (x !== undefined) {
      this.#emit(pod, proxySpan(pod, 'SERVER', { traceId: this.#ids.traceId(trace), id: this.#ids.spanId(inbound.server), parentId: this.#ids.spanId(parent) }, x, {
        name: route.operation, startUs: arriveUs, durationUs: end - arriveUs, cluster: route.inboundCluster,
        peerAddress: x.callerIp, upstreamAddress: pod.address,
      }), end);
    }
    return end;
  }

  /** Runs a stage's synchronous calls from `t`; returns when the last one returned. Async calls are collected. */
  #stage(inbound: Inbound, stage: Stage, t: number, background: CallSpec[]): number {
    let end = t;
    for (const call of stage.calls) {
      if (call.versions !== undefined && !call.versions.includes(inbound.pod.version)) continue;
      if (call.p !== undefined && !this.#traffic.chance(call.p)) continue;
      for (let i = 0; i < (call.count ?? 1); i++) {
        if (call.async === true) background.push(call);
        else if (stage.parallel === true) end = Math.max(end, this.#call(inbound, call, t + this.#traffic.int(10, 150), false));
        else end = this.#call(inbound, call, end + this.#traffic.int(20, 200), false);
      }
    }
    return end;
  }

  #handler(handlers: readonly Handler[]): Handler | undefined {
    if (handlers.length <= 1) return handlers[0];
    let u = this.#traffic.next() * handlers.reduce((sum, h) => sum + h.weight, 0);
    for (const h of handlers) {
      u -= h.weight;
      if (u < 0) return h;
    }
    return handlers[handlers.length - 1];
  }

  /** An outbound call by the app: what it forwarded decides whether the trace goes on. */
  #call(inbound: Inbound, call: CallSpec, startUs: number, async: boolean): number {
    const pod = inbound.pod;
    const counters = this.counters.get(pod.workload)!;
    counters.outboundCalls++;
    const headers = forwarded(this.#behaviour(pod.workload), this.#provider, async);
    // A sidecar keeps the app's x-request-id and makes one only when the app sent none (§4.2).
    const rid = headers.requestId ? inbound.rid : newRequestId(this.#traffic, this.#threshold);
    if (headers.context) return this.#exchange(pod, { trace: inbound.trace, client: childOf(inbound.trace), parent: inbound.server, rid }, call, startUs);
    // No context reached the outbound sidecar: a new trace, sampled by the request id (§4.3).
    counters.brokenCalls++;
    const trace = newTrace(rid.sampled);
    const root = rootOf(trace);
    if (trace.sampled) {
      this.orphans.push({
        traceId: this.#ids.traceId(trace), spanId: this.#ids.spanId(root),
        namespace: pod.namespace, workload: pod.workload, pod: pod.name, callee: call.to,
        parent: { traceId: this.#ids.traceId(inbound.trace), spanId: this.#ids.spanId(inbound.server), sampled: inbound.trace.sampled },
        requestIdForwarded: headers.requestId, async,
      });
    }
    return this.#exchange(pod, { trace, client: root, parent: undefined, rid }, call, startUs);
  }

  /** The caller's outbound CLIENT span around the callee's whole inbound handling. */
  #exchange(pod: Pod, departure: Departure, call: CallSpec, startUs: number): number {
    const { trace, client, parent, rid } = departure;
    const route = this.#routes.get(call.to)!;
    const target = this.#traffic.pick(route.pods);
    const grpc = route.spec.protocol === 'grpc';
    const x = trace.sampled
      ? exchange(this.#cosmetic, {
        requestId: this.#ids.requestIdText(rid), authority: `${call.to}:${route.spec.port}`,
        path: call.path.replace('{id}', String(this.#cosmetic.int(0, 4999))), method: grpc ? 'POST' : call.method ?? 'GET', grpc,
        userAgent: this.#userAgents.get(pod.workload)!, callerIp: pod.ip,
      })
      : undefined;
    const serverEnd = this.#serve(target, { trace, parent: client, rid, x }, startUs + this.#networkUs());
    const end = serverEnd + this.#networkUs();
    if (x !== undefined) {
      this.#emit(pod, proxySpan(pod, 'CLIENT', {
        traceId: this.#ids.traceId(trace), id: this.#ids.spanId(client), parentId: parent === undefined ? undefined : this.#ids.spanId(parent),
      }, x, {
        name: route.operation, startUs, durationUs: end - startUs, cluster: route.outboundCluster,
        // The outbound listener's downstream is the app itself (§2.3).
        peerAddress: pod.ip, upstreamAddress: target.address,
      }), end);
    }
    return end;
  }

  #emit(pod: Pod, span: SimSpan, endUs: number): void {
    pod.spans.push(span);
    pod.ends.push(endUs);
    this.emittedSpans++;
  }
}
