import { describe, expect, it, vi } from 'vitest';
import type { ControllerApi } from './controller-api.js';
import type { EventRecorder } from './events.js';
import { KubeStatusError } from './kube-rest.js';
import { OwnWrites } from './own-writes.js';
import { PlanWriter, policyRef } from './plan-writer.js';
import { policy } from './fixtures.test-helpers.js';
import { POLICY_FINALIZER } from './policy.js';

/** The calls PlanWriter makes, answering as the API server would. */
function fakeApi(answers: { statusVersion: string; finalizerVersion: string }) {
  return {
    patchPolicyStatus: vi.fn(async () => ({ metadata: { resourceVersion: answers.statusVersion } })),
    patchPolicy: vi.fn(async (): Promise<unknown> => ({ metadata: { resourceVersion: answers.finalizerVersion } })),
    applyTelemetry: vi.fn(),
    deleteTelemetry: vi.fn(),
    retry: <T>(fn: () => Promise<T>) => fn(),
    listAll: vi.fn(async () => ({ items: [] })),
  };
}

function writer(api: ReturnType<typeof fakeApi>) {
  const ownWrites = new OwnWrites();
  const events = { record: vi.fn() };
  return { ownWrites, events, writer: new PlanWriter({ api: api as unknown as ControllerApi, ownWrites, events: events as unknown as EventRecorder, cachedTelemetry: () => undefined }) };
}

describe('PlanWriter: which of its writes come back as its own echo', () => {
  it('a deletion that lands just before a status write is still acted on', async () => {
    // The status patch changed nothing (the cache lagged behind an identical status), so the API
    // server answered with the object's current version: the deletion's.
    const api = fakeApi({ statusVersion: '42', finalizerVersion: '0' });
    const { ownWrites, writer: w } = writer(api);
    const p = policy('boost', { boost: { percentage: 100, duration: '3s' } }, { resourceVersion: '40', finalizers: [POLICY_FINALIZER] });
    await w.write(p, { apply: [], delete: [], status: { mode: 'boost' }, events: [] }, undefined);
    expect(api.patchPolicyStatus).toHaveBeenCalledTimes(1);
    const act = vi.fn();
    ownWrites.unlessOwn(policyRef('shop', 'boost'), '42', act);
    expect(act).toHaveBeenCalledTimes(1);
  });

  it('the finalizer it adds (a write conditional on the cached version) comes back as its own', async () => {
    const api = fakeApi({ statusVersion: '0', finalizerVersion: '41' });
    const { ownWrites, writer: w } = writer(api);
    await w.addFinalizer(policy('fixed', { fixed: { percentage: 5 } }, { resourceVersion: '40' }));
    expect(api.patchPolicy).toHaveBeenCalledWith('shop', 'fixed', { metadata: { finalizers: [POLICY_FINALIZER], resourceVersion: '40' } });
    const act = vi.fn();
    ownWrites.unlessOwn(policyRef('shop', 'fixed'), '41', act);
    expect(act).not.toHaveBeenCalled();
  });

  it('finalizing a policy an earlier pass already let go is done, not a failure to retry', async () => {
    const api = fakeApi({ statusVersion: '0', finalizerVersion: '0' });
    api.patchPolicy.mockRejectedValueOnce(new KubeStatusError(404, {}, { message: 'not found' }, 'PATCH'));
    const { events, writer: w } = writer(api);
    const deleting = policy('gone', { fixed: { percentage: 5 } }, { resourceVersion: '50', finalizers: [POLICY_FINALIZER], deletionTimestamp: '2026-01-01T12:00:00Z' });
    await expect(w.finalize(deleting)).resolves.toBeUndefined();
    expect(events.record).not.toHaveBeenCalled();
    api.patchPolicy.mockRejectedValueOnce(new KubeStatusError(409, {}, { message: 'conflict' }, 'PATCH'));
    await expect(w.finalize(deleting)).rejects.toThrow(/409/);
  });
});
