/**
 * Tag storage. Most of an Envoy span's ~20 tags repeat across every span a sidecar emits
 * (`node_id`, `upstream_cluster`, `istio.*`, `component`, protocol, method, status), so those are
 * packed into an interned {@link TagGroup} shared by all such spans, and only the few
 * request-specific values (request id, URL, sizes, addresses) are stored per span. This is what
 * keeps a buffered span well under a kilobyte.
 */
import { heldPairs } from './held-pairs.js';
import type { Interner } from './intern.js';
import type { MeshIdentity } from './mesh.js';
import { TagFact, TagKey } from './tag-key.js';

/** Values longer than this are never shared or interned: they are too likely unique to be worth it. */
export const MAX_SHARED_VALUE = 256;

/** Groups a packer remembers per sidecar: a sidecar's batch mixes a group per upstream cluster and status. */
const MRU_SIZE = 32;
/** Sidecars a packer keeps groups for; past this the lists start over (pods come and go). */
export const MAX_SIDECARS = 4096;

/** One sidecar's most recently used groups, most recent first. */
interface RecentGroups {
  readonly groups: TagGroup[];
  /** The `upstream_cluster` each group was last used with: one compare rules most of them out. */
  readonly clusters: string[];
}

/** An interned, immutable set of tags shared by many spans. */
export class TagGroup {
  /** Flat `[key, value, key, value, ...]`. */
  readonly tags: readonly string[];
  /** Mesh identities derived from this group by kind and service name, made on the first second combination. */
  meshCache: Map<string, MeshIdentity | undefined> | undefined = undefined;
  /** The last lookup, checked before the cache (null: none yet). */
  lastKind: string | undefined | null = null;
  lastService: string | undefined = undefined;
  lastMesh: MeshIdentity | undefined = undefined;

  constructor(tags: readonly string[]) {
    this.tags = tags;
  }

  get(key: string): string | undefined {
    const t = this.tags;
    for (let i = 0; i < t.length; i += 2) if (t[i] === key) return t[i + 1];
    return undefined;
  }

  static readonly EMPTY = new TagGroup([]);
}

/** Per-span facts picked out while packing, so no second pass over the tags is needed. */
export interface PackedTags {
  group: TagGroup;
  own: readonly string[];
  requestId: string | undefined;
  httpStatus: number | undefined;
  responseFlags: string | undefined;
  error: boolean;
}

/**
 * Packs tags span by span into shared groups and per-span arrays. Reuses its buffers, so one
 * packer must not be used by two spans at once (decoders use one per call).
 */
export class TagPacker {
  readonly #interner: Interner;
  #base: TagGroup = TagGroup.EMPTY;
  /*
   * The span's shared and own tags so far: the first `#sharedLength`/`#ownLength` entries. The
   * arrays are reused span after span; emptying them (`length = 0`) would free their storage and
   * make every span grow it again.
   */
  readonly #shared: string[] = [];
  #sharedLength = 0;
  readonly #own: string[] = [];
  #ownLength = 0;
  #requestId: string | undefined;
  #httpStatus: number | undefined;
  #responseFlags: string | undefined;
  #error = false;
  /** `upstream_cluster` of the span: it tells apart most of a sidecar's groups. */
  #cluster = '';
  /** `node_id` of the span ('' for none): whose recent groups to look in. */
  #nodeId = '';
  /**
   * Groups used most recently, per sidecar (`node_id`), checked before any hashing. One list for
   * all missed whenever batches from many sidecars interleave (every batch, with dozens of them):
   * each of a batch's first spans per group then hashed its tags.
   */
  readonly #recent = new Map<string, RecentGroups>();
  /** The list of the last span's sidecar: a batch is one sidecar's, so the map is rarely consulted. */
  #recentNodeId: string | undefined;
  #recentGroups: RecentGroups = { groups: [], clusters: [] };

  constructor(interner: Interner) {
    this.#interner = interner;
  }

  /** Starts a span; `base` (e.g. OTLP resource attributes) is included in its shared group. */
  begin(base: TagGroup = TagGroup.EMPTY): void {
    this.#base = base;
    this.#sharedLength = 0;
    this.#ownLength = 0;
    this.#requestId = undefined;
    this.#httpStatus = undefined;
    this.#responseFlags = undefined;
    this.#error = false;
    this.#cluster = '';
    this.#nodeId = '';
  }

  /** Adds one tag (a convenience over {@link addKey}; decoders keep TagKeys per distinct key). */
  add(key: string, value: string): void {
    this.addKey(new TagKey(this.#interner.string(key)), value);
  }

  /**
   * Adds one tag. `interned`: the value is already the interner's instance (a decoder took it from
   * its cache), so it need not be looked up again.
   */
  addKey(key: TagKey, value: string, interned = false): void {
    if (key.fact !== TagFact.NONE) this.#pickFact(key.fact, value);
    if (key.shared && value.length <= MAX_SHARED_VALUE) {
      this.#shared[this.#sharedLength++] = key.name;
      this.#shared[this.#sharedLength++] = value;
    } else {
      this.#own[this.#ownLength++] = key.name;
      this.#own[this.#ownLength++] = key.unique || interned || value.length > MAX_SHARED_VALUE ? value : this.#interner.string(value);
    }
  }

  #pickFact(fact: TagFact, value: string): void {
    switch (fact) {
      case TagFact.REQUEST_ID: this.#requestId = value; break;
      case TagFact.HTTP_STATUS: {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 0 && n < 1000) this.#httpStatus = n;
        break;
      }
      case TagFact.RESPONSE_FLAGS: if (value !== '-' && value !== '') this.#responseFlags = this.#interner.string(value); break;
      case TagFact.ERROR: this.#error = value !== 'false'; break;
      case TagFact.CLUSTER: this.#cluster = value; break;
      case TagFact.NODE_ID: this.#nodeId = value; break;
      default: break;
    }
  }

  finish(): PackedTags {
    return {
      group: this.#group(),
      // A literal copy: the span holds it for as long as it lives (see held-pairs.ts).
      own: this.#ownLength === 0 ? EMPTY : heldPairs(this.#own, this.#ownLength),
      requestId: this.#requestId,
      httpStatus: this.#httpStatus,
      responseFlags: this.#responseFlags,
      error: this.#error,
    };
  }

  /** Builds a standalone group from flat tags (e.g. OTLP resource attributes), all shared. */
  group(flat: readonly string[]): TagGroup {
    return flat.length === 0 ? TagGroup.EMPTY : this.#lookupGroup(TagGroup.EMPTY, flat, flat.length);
  }

  /**
   * The interned group for the span's shared tags. Hot path: the groups this packer used last are
   * checked tag by tag (cheap string compares, and only those last used with the span's
   * `upstream_cluster`), so nothing is hashed unless a sidecar's tag set is new to this packer.
   */
  #group(): TagGroup {
    const shared = this.#shared;
    const n = this.#sharedLength;
    const base = this.#base;
    if (n === 0) return base;
    // Envoy flushes one sidecar's spans per batch, so one of the last groups usually fits.
    const recent = this.#recentOf(this.#nodeId);
    const mru = recent.groups;
    const clusters = recent.clusters;
    const cluster = this.#cluster;
    for (let i = 0; i < mru.length; i++) {
      if (clusters[i] !== cluster) continue;
      const g = mru[i]!;
      if (sameTags(g, base, shared, n)) {
        if (i > 0) toFront(recent, i, g, cluster);
        return g;
      }
    }
    const group = this.#lookupGroup(base, shared, n);
    toFront(recent, Math.min(mru.length, MRU_SIZE - 1), group, cluster);
    return group;
  }

  #recentOf(nodeId: string): RecentGroups {
    if (nodeId === this.#recentNodeId) return this.#recentGroups;
    let recent = this.#recent.get(nodeId);
    if (recent === undefined) {
      if (this.#recent.size >= MAX_SIDECARS) this.#recent.clear();
      recent = { groups: [], clusters: [] };
      this.#recent.set(nodeId, recent);
    }
    this.#recentNodeId = nodeId;
    this.#recentGroups = recent;
    return recent;
  }

  /**
   * The interned group for these tags, found by a hash of them and verified tag by tag. Keyed by
   * the hash rather than the joined tags: a joined key is as long as the group's tags (most of a
   * kilobyte for an Envoy sidecar), and the interner would hold one per group. Groups whose
   * hashes collide take the next probe's key.
   */
  #lookupGroup(base: TagGroup, shared: readonly string[], n: number): TagGroup {
    const hash = tagsHash(base.tags, base.tags.length, tagsHash(shared, n, 0));
    for (let probe = 0; ; probe++) {
      // The interner also holds strings: a tag value spelling this key is just another collision.
      const group: unknown = this.#interner.object(`\u0003${hash}:${probe}`, () => this.#newGroup(base, shared, n));
      if (group instanceof TagGroup && sameTags(group, base, shared, n)) return group;
    }
  }

  #newGroup(base: TagGroup, shared: readonly string[], n: number): TagGroup {
    const tags = base.tags.slice();
    for (let i = 0; i < n; i++) tags.push(this.#interner.string(shared[i]!));
    return new TagGroup(tags);
  }
}

/**
 * A hash of strings from their lengths and characters: every character of strings up to 64 long,
 * 32 spread over longer ones. Values of one key often differ in a character or two (pod IPs and
 * names inside `node_id`s of one deployment): a hash of five characters each let the groups of
 * dozens of such sidecars collide, and every new group then probed past all of them.
 */
function tagsHash(strings: readonly string[], count: number, seed: number): number {
  let h = seed ^ count;
  for (let i = 0; i < count; i++) {
    const s = strings[i]!;
    const n = s.length;
    h = Math.imul(h ^ n, 0x9e3779b1);
    const step = n <= 64 ? 1 : n >> 5;
    for (let j = 0; j < n; j += step) h = Math.imul(h ^ s.charCodeAt(j), 0x85ebca6b);
    if (n > 0) h = Math.imul(h ^ s.charCodeAt(n - 1), 0xc2b2ae35);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** True when `group` holds exactly `base`'s tags followed by the first `n` of `shared`. */
function sameTags(group: TagGroup, base: TagGroup, shared: readonly string[], n: number): boolean {
  const tags = group.tags;
  const offset = base.tags.length;
  if (tags.length !== offset + n) return false;
  for (let i = 0; i < offset; i++) if (tags[i] !== base.tags[i]) return false;
  for (let i = 0; i < n; i++) if (tags[offset + i] !== shared[i]) return false;
  return true;
}

/** Moves (or inserts, dropping the last) `group` to the front of a sidecar's recent groups. */
function toFront(recent: RecentGroups, from: number, group: TagGroup, cluster: string): void {
  const { groups, clusters } = recent;
  for (let j = from; j > 0; j--) {
    groups[j] = groups[j - 1]!;
    clusters[j] = clusters[j - 1]!;
  }
  groups[0] = group;
  clusters[0] = cluster;
}

const EMPTY: readonly string[] = Object.freeze([]);

/** A span's tag value: its own tags first, then its shared group. */
export function tagValue(span: { ownTags: readonly string[]; sharedTags: TagGroup }, key: string): string | undefined {
  const own = span.ownTags;
  for (let i = 0; i < own.length; i += 2) if (own[i] === key) return own[i + 1];
  return span.sharedTags.get(key);
}

/** All tags of a span as a plain object (own tags win), for serialization. */
export function tagsToObject(span: { ownTags: readonly string[]; sharedTags: TagGroup }): Record<string, string> {
  const out: Record<string, string> = {};
  const shared = span.sharedTags.tags;
  for (let i = 0; i < shared.length; i += 2) out[shared[i]!] = shared[i + 1]!;
  const own = span.ownTags;
  for (let i = 0; i < own.length; i += 2) out[own[i]!] = own[i + 1]!;
  return out;
}
