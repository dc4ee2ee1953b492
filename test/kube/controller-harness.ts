/** Starts the controller in-process against a test API server, with quick timings. */
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeApi } from '../../src/controller/kube.js';
import { POLICY_API_VERSION, POLICY_KIND } from '../../src/controller/policy.js';
import type { SamplingPolicySpec } from '../../src/controller/policy.js';
import { Controller } from '../../src/controller/run.js';
import type { ControllerOptions } from '../../src/controller/run.js';

export const ROOT_NS = 'istio-system';

export function startController(kc: KubeConfig, over: Partial<ControllerOptions> = {}): { controller: Controller; api: KubeApi; ready: Promise<void> } {
  const api = new KubeApi(kc, { baseMs: 20, maxMs: 500, attempts: 8 });
  const controller = new Controller(api, {
    rootNamespace: ROOT_NS, resyncMs: 60_000, adaptiveWindowMs: 60_000, adaptiveIntervalMs: 60_000,
    leaderElection: true, leaseNamespace: ROOT_NS, leaseName: 'meshtrace-controller', identity: `test-${Math.random().toString(36).slice(2, 8)}`,
    leaseDurationSeconds: 3, concurrency: 4, inspectPods: true, log: pino({ level: process.env.MESHTRACE_TEST_LOG ?? 'silent' }), ...over,
  });
  return { controller, api, ready: controller.start() };
}

export function policyBody(namespace: string, name: string, spec: SamplingPolicySpec, annotations?: Record<string, string>) {
  return { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
}
