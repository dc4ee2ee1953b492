/**
 * Mesh traffic simulator: Envoy/Istio sidecar and gateway spans for known applications, with
 * chosen apps breaking header propagation, and the exact ground truth of every break.
 */
export type {
  Behaviour, GroundTruth, OrphanTruth, Provider, SimBatch, SimSpan, SimulationOptions, TopologyName, WorkloadTruth,
} from './types.js';
export { BEHAVIOURS, behaviourBreaks, headersToForward, isBehaviour } from './behaviours.js';
export { TOPOLOGIES, isTopologyName } from './topologies/index.js';
export { simulate, topologyWorkloads } from './simulate.js';
export type { WorkloadInfo } from './simulate.js';
export { otlpJson, otlpProto, otlpRequestObject, zipkinJson, zipkinProto } from './encode.js';
export { play } from './send.js';
export type { PlayOptions, PlayResult, PlayTarget } from './send.js';
export { SIMULATE_HELP, simulateCommand } from './cli.js';
