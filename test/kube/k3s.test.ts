/**
 * The controller against a real K3s cluster (Kubernetes with CEL validation and a garbage
 * collector) in a container. Skips with a message when no Docker-compatible engine is reachable.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../../src/controller/policy.js';
import { eventually, startTestKube } from '../helpers/kube.js';
import type { TestKube } from '../helpers/kube.js';
import { ROOT_NS, policyBody, startController } from './controller-harness.js';
import type { RunningController } from './controller-harness.js';

async function dockerProblem(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (err) {
    return `no Docker engine reachable (${String((err as Error).message).split('\n')[0]})`;
  }
}

const problem = await dockerProblem();

describe.runIf(problem === undefined)('controller on K3s (testcontainers)', () => {
  let stopK3s: (() => Promise<unknown>) | undefined;
  let kube: TestKube;
  let ctl: RunningController;

  beforeAll(async () => {
    const { K3sContainer } = await import('@testcontainers/k3s');
    const k3s = await new K3sContainer('rancher/k3s:v1.31.2-k3s1').start();
    stopK3s = () => k3s.stop();
    const path = join(mkdtempSync(join(tmpdir(), 'meshtrace-k3s-')), 'kubeconfig');
    writeFileSync(path, k3s.getKubeConfig());
    const started = await startTestKube({ MESHTRACE_TEST_KUBECONFIG: path });
    if ('skip' in started) throw new Error(started.skip);
    kube = started.kube;
    await kube.ensureNamespace(ROOT_NS);
    await kube.ensureNamespace('shop');
    ctl = await startController(kube.kc);
  }, 240_000);
  afterAll(async () => {
    await ctl?.controller.stop();
    await stopK3s?.();
  }, 60_000);

  it('CEL rules reject a policy with two modes before the controller sees it', async () => {
    const bad = policyBody('shop', 'two', { fixed: { percentage: 1 }, boost: { percentage: 100, duration: '1m' } });
    await expect(kube.api.custom.createNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: 'shop', plural: POLICY_PLURAL, body: bad }))
      .rejects.toThrow(/exactly one of fixed, adaptive or boost/);
  });

  it('a policy yields its Telemetry', async () => {
    await kube.api.custom.createNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, namespace: 'shop', plural: POLICY_PLURAL, body: policyBody('shop', 'p', { fixed: { percentage: 5 } }) });
    const t = await eventually(async () => (await kube.api.listTelemetries('shop')).items.find((x) => x.metadata.name === 'meshtrace-p'), 5000, 'Telemetry');
    expect(t.spec?.tracing?.[0]?.randomSamplingPercentage).toBe(5);
  });
});

if (problem !== undefined) {
  describe('controller on K3s (testcontainers)', () => {
    it.skip(`skipped: ${problem}`, () => {});
  });
}
