import { describe, expect, it } from 'vitest';
import { resolveRoot } from './resolve.js';
import type { CandidateWindows } from './resolve.js';

interface W { startUs: number; endUs: number; ownTrace?: boolean; sameRequest?: boolean; claimed?: boolean }

const candidates = (ws: W[]): CandidateWindows => ({
  length: ws.length,
  startUs: (k) => ws[k]!.startUs,
  endUs: (k) => ws[k]!.endUs,
  inCallTrace: (k) => ws[k]!.ownTrace === true,
  sameRequest: (k) => ws[k]!.sameRequest === true,
  claimedByOther: (k) => ws[k]!.claimed === true,
});
const timing = { meanDelayUs: 1000, meanTailUs: 1000 };
const call = { startUs: 10_000, endUs: 10_500 };

describe('resolveRoot', () => {
  it('confirms a window with the same request id, sharing the probability among such windows', () => {
    const choice = resolveRoot(call, candidates([
      { startUs: 9_900, endUs: 11_000 },
      { startUs: 5_000, endUs: 20_000, sameRequest: true },
      { startUs: 4_000, endUs: 20_000, sameRequest: true },
    ]), timing);
    expect(choice).toEqual({ kind: 'confirmed', window: 1, choiceProbability: 0.5 });
  });

  it('leaves a call unattributed when only its own trace was open', () => {
    expect(resolveRoot(call, candidates([{ startUs: 9_000, endUs: 11_000, ownTrace: true, sameRequest: true }]), timing))
      .toEqual({ kind: 'unattributed', window: -1, choiceProbability: 0 });
  });

  it('infers the request the call sits in most tightly, and weighs claimed windows down', () => {
    const ws: W[] = [{ startUs: 9_800, endUs: 10_700 }, { startUs: 2_000, endUs: 30_000 }];
    const free = resolveRoot(call, candidates(ws), timing);
    expect(free.kind).toBe('inferred');
    expect(free.window).toBe(0);
    expect(free.choiceProbability).toBeGreaterThan(0.99);
    const claimed = resolveRoot(call, candidates([{ ...ws[0]!, claimed: true }, ws[1]!]), timing);
    expect(claimed.window).toBe(0);
    expect(claimed.choiceProbability).toBeLessThan(free.choiceProbability);
  });

  it('skips own-trace windows when choosing', () => {
    const choice = resolveRoot(call, candidates([{ startUs: 9_990, endUs: 10_600, ownTrace: true }, { startUs: 9_000, endUs: 12_000 }]), timing);
    expect(choice).toEqual({ kind: 'inferred', window: 1, choiceProbability: 1 });
  });
});
