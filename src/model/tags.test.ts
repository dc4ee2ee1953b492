import { describe, expect, it } from 'vitest';
import { Interner } from './intern.js';
import { MAX_SIDECARS, TagPacker, tagValue, tagsToObject } from './tags.js';

/** Counts the group lookups that reach the interner (a hash of the tags each). */
class CountingInterner extends Interner {
  lookups = 0;
  override object<T>(key: string, make: () => T): T {
    this.lookups++;
    return super.object(key, make);
  }
}

describe('tag packing', () => {
  it('shares identity tags between spans and keeps request tags per span', () => {
    const packer = new TagPacker(new Interner());
    const pack = (rid: string) => {
      packer.begin();
      packer.add('node_id', 'sidecar~1.2.3.4~a-1.ns~ns.svc.cluster.local');
      packer.add('guid:x-request-id', rid);
      packer.add('http.status_code', '503');
      packer.add('response_flags', 'UH');
      packer.add('error', 'true');
      return packer.finish();
    };
    const a = pack('r1');
    const b = pack('r2');
    expect(a.group).toBe(b.group);
    expect(a.own).toEqual(['guid:x-request-id', 'r1']);
    expect(a).toMatchObject({ requestId: 'r1', httpStatus: 503, responseFlags: 'UH', error: true });
    expect(tagValue({ ownTags: b.own, sharedTags: b.group }, 'node_id')).toContain('sidecar~');
    expect(tagsToObject({ ownTags: b.own, sharedTags: b.group })['guid:x-request-id']).toBe('r2');
  });

  it('keeps groups apart even when values contain the key separator', () => {
    const packer = new TagPacker(new Interner());
    const pack = (tags: [string, string][]) => {
      packer.begin();
      for (const [k, v] of tags) packer.add(k, v);
      return packer.finish().group;
    };
    const a = pack([['component', 'a\u0001zone\u0001b']]);
    const b = pack([['component', 'a'], ['zone', 'b']]);
    expect(a).not.toBe(b);
    expect(a.get('component')).toBe('a\u0001zone\u0001b');
    expect(b.get('zone')).toBe('b');
  });

  it('finds each sidecar\'s groups with one lookup when first seen, and none again when batches from many sidecars interleave', () => {
    const interner = new CountingInterner();
    const packer = new TagPacker(interner);
    // 40 sidecars with 20 groups each (cluster × status): 800 groups, far more than one list holds.
    const batch = (sidecar: number): Set<unknown> => {
      const groups = new Set<unknown>();
      for (let g = 0; g < 20; g++) {
        packer.begin();
        packer.add('node_id', `sidecar~10.0.0.${sidecar}~app-${sidecar}.ns~ns.svc.cluster.local`);
        packer.add('upstream_cluster', `outbound|80||svc-${g % 10}.ns.svc.cluster.local`);
        packer.add('http.status_code', g < 10 ? '200' : '503');
        groups.add(packer.finish().group);
      }
      return groups;
    };
    const first = Array.from({ length: 40 }, (_, s) => batch(s));
    // Seen first: one lookup per group. The sidecars' node_ids differ in two short runs of
    // characters; a hash that missed them chained all 40 sidecars' groups (100,400 lookups).
    expect(interner.lookups).toBeLessThan(1.1 * 800);
    const before = interner.lookups;
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < 40; s++) expect(batch(s)).toEqual(first[s]);
    }
    expect(interner.lookups - before).toBe(0);
  });

  it(`keeps groups for at most ${MAX_SIDECARS} sidecars, then starts over`, () => {
    const interner = new CountingInterner(200_000);
    const packer = new TagPacker(interner);
    const pack = (sidecar: number): void => {
      packer.begin();
      packer.add('node_id', `sidecar~10.0.${sidecar >> 8}.${sidecar & 255}~app-${sidecar}.ns~ns.svc.cluster.local`);
      packer.finish();
    };
    for (let s = 0; s < MAX_SIDECARS; s++) pack(s);
    let before = interner.lookups;
    pack(0);
    expect(interner.lookups - before).toBe(0);
    pack(MAX_SIDECARS);
    before = interner.lookups;
    pack(1);
    expect(interner.lookups - before).toBe(1);
  });
});

describe('interner', () => {
  it('returns one instance per key and stays bounded', () => {
    const interner = new Interner(10);
    const a = interner.object('k', () => ({}));
    expect(interner.object('k', () => ({}))).toBe(a);
    for (let i = 0; i < 100; i++) interner.string(`v${i}`);
    expect(interner.size).toBeLessThanOrEqual(20);
    // Still found after a generation turnover, as long as it keeps being used.
    expect(interner.object('k', () => ({}))).not.toBe(a);
  });
});
