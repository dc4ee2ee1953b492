/** Starts the controller in-process against a test API server, with quick timings. */
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ControllerApi } from '../../src/controller/controller-api.js';
import { connectionFromKubeConfig } from '../../src/controller/kube-connection.js';
import { POLICY_API_VERSION, POLICY_KIND } from '../../src/controller/policy.js';
import type { SamplingPolicySpec } from '../../src/controller/policy.js';
import { Controller } from '../../src/controller/run.js';
import type { ControllerOptions } from '../../src/controller/run.js';

export const ROOT_NS = 'istio-system';

export interface RunningController { readonly controller: Controller }

/** Resolves once the controller's caches are synced. */
export async function startController(kc: KubeConfig, over: Partial<ControllerOptions> = {}): Promise<RunningController> {
  const api = new ControllerApi(await connectionFromKubeConfig(kc), { baseMs: 20, maxMs: 500, attempts: 8 });
  const controller = new Controller(api, {
    rootNamespace: ROOT_NS, resyncMs: 60_000, adaptiveWindowMs: 60_000, adaptiveIntervalMs: 60_000,
    leaderElection: true, leaseNamespace: ROOT_NS, leaseName: 'meshtrace-controller', identity: `test-${Math.random().toString(36).slice(2, 8)}`,
    leaseDurationSeconds: 3, concurrency: 4, inspectPods: true, log: pino({ level: process.env.MESHTRACE_TEST_LOG ?? 'silent' }), ...over,
  });
  await controller.start();
  return { controller };
}

export function policyBody(namespace: string, name: string, spec: SamplingPolicySpec, annotations?: Record<string, string>) {
  return { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec };
}
