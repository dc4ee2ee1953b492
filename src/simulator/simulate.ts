/**
 * `simulate`: user requests through a topology's ingress gateway, with a closed loop of
 * `concurrency` clients (each sends its next request when the previous one returned, so about
 * `concurrency` are in flight), the originator ticking alongside, then Envoy's batching.
 */
import { behaviourBreaks } from './behaviours.js';
import { flushBatches } from './batching.js';
import { Engine } from './engine.js';
import { MinHeap } from './min-heap.js';
import { PodFactory, podsOf } from './pods.js';
import type { Pod } from './pods.js';
import { Random, streamSeed } from './random.js';
import { GATEWAY } from './topology.js';
import type { Topology } from './topology.js';
import { TOPOLOGY_DATA } from './topologies/index.js';
import type { GroundTruth, SimBatch, SimulationOptions, TopologyName, WorkloadTruth } from './types.js';

export interface WorkloadInfo {
  readonly namespace: string;
  readonly workload: string;
  readonly role: 'gateway' | 'originator' | 'service';
}

/** The workloads of a topology, in the order ground truth lists them. */
export function topologyWorkloads(name: TopologyName): WorkloadInfo[] {
  const t = TOPOLOGY_DATA[name];
  return [
    { namespace: GATEWAY.namespace, workload: GATEWAY.name, role: 'gateway' },
    ...t.workloads.map((w) => ({ namespace: w.namespace, workload: w.name, role: 'service' as const })),
    { namespace: t.originator.namespace, workload: t.originator.name, role: 'originator' },
  ];
}

type ResolvedOptions = Required<SimulationOptions>;

/** Independent PRNG streams of one seed, so e.g. sampling does not change timing. */
const STREAM = { pods: 1, traffic: 2, cosmetic: 3, ids: 4, batching: 5 } as const;

export function simulate(options: SimulationOptions): { batches: SimBatch[]; truth: GroundTruth } {
  const opts = resolve(options);
  const topology = TOPOLOGY_DATA[opts.topology];
  const random = (stream: number): Random => new Random(streamSeed(opts.seed, stream));
  const pods = podsOf(topology, new PodFactory(random(STREAM.pods), opts.clockSkewMs));
  const traffic = random(STREAM.traffic);
  const engine = new Engine(topology, pods, opts, { traffic, cosmetic: random(STREAM.cosmetic), ids: random(STREAM.ids) });

  const lastArrivalUs = playUsers(engine, opts, traffic);
  let lastEndUs = lastArrivalUs;
  if (opts.requests > 0) {
    for (const pod of pods.get(topology.originator.name)!) playOriginator(engine, pod, topology, { fromUs: opts.startUs, untilUs: lastArrivalUs }, traffic);
  }
  const allPods = [...pods.values()].flat();
  for (const pod of allPods) for (const end of pod.ends) lastEndUs = Math.max(lastEndUs, end);

  const batches = flushBatches(allPods, opts, random(STREAM.batching));
  const endUs = batches.length > 0 ? batches[batches.length - 1]!.deliverAtUs : lastEndUs;
  return {
    batches,
    truth: { options: opts, workloads: workloadTruths(engine, opts, allPods), orphans: engine.orphans, emittedSpans: engine.emittedSpans, endUs },
  };
}

/** Closed loop: each of `concurrency` clients sends its next request just after the last returned. */
function playUsers(engine: Engine, opts: ResolvedOptions, traffic: Random): number {
  const free = new MinHeap();
  for (let c = 0; c < opts.concurrency; c++) free.push(opts.startUs + (c === 0 ? 0 : traffic.int(0, 2000)));
  let lastArrivalUs = opts.startUs;
  for (let r = 0; r < opts.requests; r++) {
    lastArrivalUs = free.pop();
    const doneUs = engine.userRequest(lastArrivalUs);
    free.push(doneUs + traffic.int(100, 1000));
  }
  return lastArrivalUs;
}

/** The originator's timer, ticking (with a little jitter) while user traffic arrives. */
function playOriginator(engine: Engine, pod: Pod, topology: Topology, window: { fromUs: number; untilUs: number }, traffic: Random): void {
  const { fromUs, untilUs } = window;
  const periodUs = topology.originator.periodMs * 1000;
  for (let t = fromUs + traffic.int(0, periodUs); t <= untilUs; t += Math.round(periodUs * traffic.between(0.9, 1.1))) {
    engine.originatorCall(pod, t);
  }
}

function workloadTruths(engine: Engine, opts: ResolvedOptions, pods: readonly Pod[]): WorkloadTruth[] {
  const seen = new Set<string>();
  const out: WorkloadTruth[] = [];
  for (const pod of pods) {
    if (seen.has(pod.workload)) continue;
    seen.add(pod.workload);
    const c = engine.counters.get(pod.workload)!;
    const behaviour = pod.role === 'gateway' ? 'forward-all' : opts.behaviours[pod.workload] ?? 'forward-all';
    out.push({
      namespace: pod.namespace, workload: pod.workload, behaviour, role: pod.role,
      breaks: pod.role === 'service' && behaviourBreaks(behaviour, opts.provider) && c.brokenCalls > 0,
      inboundRequests: c.inboundRequests, sampledInboundRequests: c.sampledInboundRequests,
      outboundCalls: c.outboundCalls, brokenCalls: c.brokenCalls,
    });
  }
  return out;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`simulate: ${message}`);
}

/** Fills in defaults and refuses what the simulation cannot mean. */
export function resolve(o: SimulationOptions): ResolvedOptions {
  check(o.topology in TOPOLOGY_DATA, `unknown topology '${o.topology}'`);
  check(o.provider === 'zipkin' || o.provider === 'opentelemetry', `unknown provider '${String(o.provider)}'`);
  check(o.samplingPercent >= 0 && o.samplingPercent <= 100, 'samplingPercent must be within 0..100');
  check(Number.isInteger(o.concurrency) && o.concurrency >= 1, 'concurrency must be an integer >= 1');
  check(Number.isInteger(o.requests) && o.requests >= 0, 'requests must be an integer >= 0');
  check(o.clockSkewMs >= 0 && Number.isFinite(o.clockSkewMs), 'clockSkewMs must be >= 0');
  check(Number.isInteger(o.seed), 'seed must be an integer');
  const resolved: ResolvedOptions = {
    ...o,
    behaviours: { ...o.behaviours },
    startUs: o.startUs ?? Date.now() * 1000,
    flushSpans: o.flushSpans ?? 5,
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    lateFraction: o.lateFraction ?? 0.02,
  };
  check(Number.isInteger(resolved.flushSpans) && resolved.flushSpans >= 1, 'flushSpans must be an integer >= 1');
  check(resolved.flushIntervalMs > 0, 'flushIntervalMs must be > 0');
  check(resolved.lateFraction >= 0 && resolved.lateFraction <= 1, 'lateFraction must be within 0..1');
  const workloads = topologyWorkloads(o.topology);
  for (const name of Object.keys(resolved.behaviours)) {
    const w = workloads.find((x) => x.workload === name);
    check(w !== undefined, `no workload '${name}' in ${o.topology} (${workloads.filter((x) => x.role !== 'gateway').map((x) => x.workload).join(', ')})`);
    check(w?.role !== 'gateway', `'${name}' is the ingress gateway, which is Envoy itself and always propagates`);
  }
  return resolved;
}
