import { describe, expect, it } from 'vitest';
import { endpoint, makeSpan } from '../../test/helpers/spans.js';
import { buildTree } from './tree.js';
import { mergeDuplicates } from './merge.js';
import { correctClockSkew } from './skew.js';
import { findHops } from './hops.js';

const A = endpoint('a.default', '10.0.0.1');
const B = endpoint('b.default', '10.0.0.2');

describe('span tree', () => {
  it('links Istio-style client and server spans (separate ids, server is the child)', () => {
    const spans = [
      makeSpan({ id: 'c1', kind: 'CLIENT', localEndpoint: A }),
      makeSpan({ id: 's1', parentId: 'c1', kind: 'SERVER', localEndpoint: B }),
    ];
    const tree = buildTree(spans);
    expect(tree.roots).toEqual([0]);
    expect([...tree.parent]).toEqual([-1, 0]);
    expect(tree.warnings).toEqual([]);
  });

  it('puts a shared SERVER half under its CLIENT half, and the server\'s children under the server', () => {
    const spans = [
      makeSpan({ id: 'c1', kind: 'CLIENT', localEndpoint: A }),
      makeSpan({ id: 'c1', kind: 'SERVER', shared: true, localEndpoint: B }),
      makeSpan({ id: 'c2', parentId: 'c1', kind: 'CLIENT', localEndpoint: B }),
    ];
    const tree = buildTree(spans);
    expect([...tree.parent]).toEqual([-1, 0, 1]);
  });

  it('treats a root SERVER span with the accidental shared flag as a root', () => {
    const tree = buildTree([makeSpan({ id: 'r', kind: 'SERVER', shared: true })]);
    expect(tree.roots).toEqual([0]);
  });

  it('reports orphans and several roots as warnings', () => {
    const tree = buildTree([
      makeSpan({ id: 'a' }),
      makeSpan({ id: 'b' }),
      makeSpan({ id: 'c', parentId: 'missing' }),
    ]);
    expect(tree.orphans).toEqual([2]);
    expect(tree.warnings.map((w) => w.code).sort()).toEqual(['multiple-roots', 'orphan']);
  });

  it('cuts cycles in parent links', () => {
    const tree = buildTree([makeSpan({ id: 'a', parentId: 'b' }), makeSpan({ id: 'b', parentId: 'a' })]);
    expect(tree.warnings.some((w) => w.code === 'cycle')).toBe(true);
    expect(tree.roots.length + tree.orphans.length).toBeGreaterThan(0);
  });

  it('survives a self-parented span', () => {
    const tree = buildTree([makeSpan({ id: 'a', parentId: 'a' })]);
    expect(tree.orphans).toEqual([0]);
  });
});

describe('duplicate merge', () => {
  it('merges the same span reported twice and keeps client/server halves apart', () => {
    const { spans, merged } = mergeDuplicates([
      makeSpan({ id: 'x', kind: 'CLIENT', localEndpoint: A, durationUs: 0, ownTags: ['a', '1'] }),
      makeSpan({ id: 'x', kind: 'CLIENT', localEndpoint: A, durationUs: 500, ownTags: ['b', '2'] }),
      makeSpan({ id: 'x', kind: 'SERVER', localEndpoint: B }),
    ]);
    expect(merged).toBe(1);
    expect(spans).toHaveLength(2);
    expect(spans[0]!.durationUs).toBe(500);
    expect(spans[0]!.ownTags).toEqual(['a', '1', 'b', '2']);
  });
});

describe('clock skew', () => {
  it('centers a server span that starts before its client (clocks disagree)', () => {
    const spans = [
      makeSpan({ id: 'c', kind: 'CLIENT', localEndpoint: A, timestampUs: 1_000_000, durationUs: 1000 }),
      makeSpan({ id: 's', parentId: 'c', kind: 'SERVER', localEndpoint: B, timestampUs: 950_000, durationUs: 800 }),
      makeSpan({ id: 'g', parentId: 's', kind: 'CLIENT', localEndpoint: B, timestampUs: 950_100, durationUs: 100 }),
    ];
    const { offsets, warnings } = correctClockSkew(spans, buildTree(spans));
    expect(offsets[1]).toBe(1_000_000 + 100 - 950_000);
    expect(offsets[2]).toBe(offsets[1]); // the server's subtree moves with it
    expect(warnings).toHaveLength(1);
  });

  it('leaves spans that already fit alone', () => {
    const spans = [
      makeSpan({ id: 'c', kind: 'CLIENT', localEndpoint: A, timestampUs: 1000, durationUs: 1000 }),
      makeSpan({ id: 's', parentId: 'c', kind: 'SERVER', localEndpoint: B, timestampUs: 1100, durationUs: 800 }),
    ];
    expect([...correctClockSkew(spans, buildTree(spans)).offsets]).toEqual([0, 0]);
  });
});

describe('hops', () => {
  it('pairs each CLIENT with its SERVER child and measures the network time', () => {
    const spans = [
      makeSpan({ id: 'c', kind: 'CLIENT', localEndpoint: A, durationUs: 1000 }),
      makeSpan({ id: 's', parentId: 'c', kind: 'SERVER', localEndpoint: B, durationUs: 700 }),
      makeSpan({ id: 'u', parentId: 's', kind: 'CLIENT', localEndpoint: B }),
    ];
    const { hops, unpairedClients } = findHops(spans, buildTree(spans));
    expect(hops).toEqual([expect.objectContaining({ caller: 'a.default', callee: 'b.default', clientDurationUs: 1000, serverDurationUs: 700, gapUs: 300 })]);
    expect(unpairedClients).toBe(1);
  });
});
