import { describe, expect, it } from 'vitest';
import { inbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import { PropagationAuditor } from './auditor.js';
import { samplingRateOf } from './report.js';

const front = { workload: 'frontend' };

/** A request id Envoy marked sampled (version nibble 9) whose first 32 bits are `high`. */
function sampledId(high: number, upper = false): string {
  const id = `${high.toString(16).padStart(8, '0')}-0000-9000-8000-000000000000`;
  return upper ? id.toUpperCase() : id;
}

function observeInbound(requestIds: readonly string[]): PropagationAuditor {
  const auditor = new PropagationAuditor();
  requestIds.forEach((requestId, n) => {
    auditor.observe([inbound(front, { traceId: tid(n + 1), id: sid(n + 1), startMs: n, durationMs: 1, requestId })]);
  });
  return auditor;
}

function frontFacts(auditor: PropagationAuditor) {
  return [...auditor.workloads.values()].find((f) => f.key.endsWith('/frontend'))!;
}

describe('what the audit reads from request ids', () => {
  it('estimates the sampling rate from the values of sampled ids, in either case of hex', () => {
    // First 32 bits with hex letters in them (0xabcd0000 is 10,000 × 288,233 + 8,816), whose values
    // (the bits mod 10,000) spread below 1,000: a 10% rate. Repeats of one instance count every time.
    const base = 0xabcd0000 - 8816;
    const ids = Array.from({ length: 60 }, (_, n) => sampledId(base + (n * 16) % 1000, n % 2 === 1));
    const same = sampledId(base + 10_000 + 999);
    const facts = frontFacts(observeInbound([...ids, same, same]));
    expect(ids[1]).toMatch(/^ABCC/);
    expect(facts.samplingValues).toBe(62);
    expect(facts.samplingValueMax).toBe(999);
    expect(samplingRateOf(facts)).toBeCloseTo(0.1, 2);
    expect(facts.nonUuidRequestIds).toBe(0);
  });

  it('counts ids that are not UUIDs, keeps an example, and takes no sampling value from them', () => {
    const facts = frontFacts(observeInbound(['req-1', sampledId(5), 'req-2', '0000000g-0000-9000-8000-000000000000']));
    expect(facts.nonUuidRequestIds).toBe(3);
    expect(facts.exampleNonUuid).toBe('req-1');
    expect(facts.samplingValues).toBe(1);
    expect(facts.samplingValueMax).toBe(5);
  });

  it('takes no sampling value from a UUID Envoy did not mark sampled', () => {
    const facts = frontFacts(observeInbound(['00000005-0000-4000-8000-000000000000']));
    expect(facts.samplingValues).toBe(0);
    expect(facts.nonUuidRequestIds).toBe(0);
  });
});
