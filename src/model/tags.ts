/**
 * Tag storage. Most of an Envoy span's ~20 tags repeat across every span a sidecar emits
 * (`node_id`, `upstream_cluster`, `istio.*`, `component`, protocol, method, status), so those are
 * packed into an interned {@link TagGroup} shared by all such spans, and only the few
 * request-specific values (request id, URL, sizes, addresses) are stored per span. This is what
 * keeps a buffered span well under a kilobyte.
 */
import type { Interner } from './intern.js';
import type { MeshIdentity } from './mesh.js';

/** Keys whose values are low-cardinality and so worth sharing between spans. */
const SHARED_KEYS = new Set([
  'node_id', 'zone', 'component', 'upstream_cluster', 'upstream_cluster.name', 'downstream_cluster',
  'http.protocol', 'http.method', 'http.request.method', 'http.status_code', 'http.response.status_code',
  'response_flags', 'error', 'user_agent', 'user_agent.original', 'grpc.status_code', 'grpc.content_type',
  'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version', 'otel.status_code',
  'span.kind', 'peer.service', 'rpc.system', 'rpc.service', 'rpc.method', 'db.system',
]);
/** Values longer than this are never shared: they are too likely unique and would bloat group keys. */
const MAX_SHARED_VALUE = 256;
/** Values that are unique per request: interning them would only churn the interner. */
const UNIQUE_KEYS = new Set(['guid:x-request-id', 'guid:x-client-trace-id', 'http.url', 'url.full']);
const SEP = '\u0001';

const MRU_SIZE = 8;

/** Keys whose value is low-cardinality, so spans can share it. */
export function isSharedTagKey(key: string): boolean {
  return SHARED_KEYS.has(key) || key.startsWith('istio.');
}

/** An interned, immutable set of tags shared by many spans. */
export class TagGroup {
  /** Flat `[key, value, key, value, ...]`. */
  readonly tags: readonly string[];
  /** The interning key; tags in order, separated by control characters. */
  readonly key: string;
  /** Mesh identities derived from this group, cached by kind and service name. */
  readonly meshCache = new Map<string, MeshIdentity | undefined>();
  /** The last lookup, checked before the cache (null: none yet). */
  lastKind: string | undefined | null = null;
  lastService: string | undefined = undefined;
  lastMesh: MeshIdentity | undefined = undefined;

  constructor(tags: readonly string[], key: string) {
    this.tags = tags;
    this.key = key;
  }

  get(key: string): string | undefined {
    const t = this.tags;
    for (let i = 0; i < t.length; i += 2) if (t[i] === key) return t[i + 1];
    return undefined;
  }

  static readonly EMPTY = new TagGroup([], '');
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
  readonly #shared: string[] = [];
  readonly #own: string[] = [];
  #requestId: string | undefined;
  #httpStatus: number | undefined;
  #responseFlags: string | undefined;
  #error = false;
  /** `node_id` and `upstream_cluster` of the span: together they almost always pick its group. */
  #nodeId = '';
  #cluster = '';
  /** Groups this packer used most recently, checked before any hashing. */
  readonly #mru: TagGroup[] = [];

  constructor(interner: Interner) {
    this.#interner = interner;
  }

  /** Starts a span; `base` (e.g. OTLP resource attributes) is included in its shared group. */
  begin(base: TagGroup = TagGroup.EMPTY): void {
    this.#base = base;
    this.#shared.length = 0;
    this.#own.length = 0;
    this.#requestId = undefined;
    this.#httpStatus = undefined;
    this.#responseFlags = undefined;
    this.#error = false;
    this.#nodeId = '';
    this.#cluster = '';
  }

  add(key: string, value: string): void {
    this.#pickFacts(key, value);
    if (value.length <= MAX_SHARED_VALUE && isSharedTagKey(key)) {
      this.#shared.push(key, value);
    } else if (UNIQUE_KEYS.has(key) || value.length > MAX_SHARED_VALUE) {
      this.#own.push(this.#interner.string(key), value);
    } else {
      this.#own.push(this.#interner.string(key), this.#interner.string(value));
    }
  }

  #pickFacts(key: string, value: string): void {
    switch (key) {
      case 'guid:x-request-id': this.#requestId = value; break;
      case 'http.status_code':
      case 'http.response.status_code': {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 0 && n < 1000) this.#httpStatus = n;
        break;
      }
      case 'response_flags': if (value !== '-' && value !== '') this.#responseFlags = this.#interner.string(value); break;
      case 'error': this.#error = value !== 'false'; break;
      case 'node_id': this.#nodeId = value; break;
      case 'upstream_cluster': this.#cluster = value; break;
      default: break;
    }
  }

  finish(): PackedTags {
    return {
      group: this.#group(),
      own: this.#own.length === 0 ? EMPTY : this.#own.slice(),
      requestId: this.#requestId,
      httpStatus: this.#httpStatus,
      responseFlags: this.#responseFlags,
      error: this.#error,
    };
  }

  /** Builds a standalone group from flat tags (e.g. OTLP resource attributes), all shared. */
  group(flat: readonly string[]): TagGroup {
    if (flat.length === 0) return TagGroup.EMPTY;
    const key = flat.join(SEP);
    return this.#interner.object(key, () => new TagGroup(flat.map((s) => this.#interner.string(s)), key));
  }

  /**
   * The interned group for the shared tags. Hot path: the group last seen with the same
   * `node_id`/`upstream_cluster` fingerprint is checked tag by tag (cheap string compares), so
   * the full key is only built and hashed the first time a sidecar's tag set is seen.
   */
  #group(): TagGroup {
    const shared = this.#shared;
    const base = this.#base;
    if (shared.length === 0) return base;
    // Envoy flushes one sidecar's spans per batch, so one of the last few groups usually fits.
    const mru = this.#mru;
    for (let i = 0; i < mru.length; i++) {
      const g = mru[i]!;
      if (sameTags(g, base, shared)) {
        if (i > 0) { mru[i] = mru[0]!; mru[0] = g; }
        return g;
      }
    }
    const group = this.#lookupGroup(base, shared);
    if (mru.length < MRU_SIZE) mru.push(group);
    else mru[MRU_SIZE - 1] = group;
    return group;
  }

  #lookupGroup(base: TagGroup, shared: readonly string[]): TagGroup {
    const fingerprint = `${base.key.length}\u0002${shared.length}\u0002${this.#nodeId}\u0002${this.#cluster}\u0002${shared[1]!}`;
    const recent = this.#interner.recent(fingerprint);
    if (recent instanceof TagGroup && sameTags(recent, base, shared)) return recent;
    // A value containing a separator would make the joined key ambiguous; JSON is not.
    const joined = shared.some(hasSeparator) ? JSON.stringify(shared) : shared.join(SEP);
    const key = base.key === '' ? joined : base.key + '\u0002' + joined;
    const group = this.#interner.object(key, () => {
      const tags = base.tags.length === 0 ? [] : base.tags.slice();
      for (const t of shared) tags.push(this.#interner.string(t));
      return new TagGroup(tags, key);
    });
    this.#interner.remember(fingerprint, group);
    return group;
  }
}

/** True when `group` holds exactly `base`'s tags followed by `shared`. */
function sameTags(group: TagGroup, base: TagGroup, shared: readonly string[]): boolean {
  const tags = group.tags;
  const offset = base.tags.length;
  if (tags.length !== offset + shared.length) return false;
  for (let i = 0; i < offset; i++) if (tags[i] !== base.tags[i]) return false;
  for (let i = 0; i < shared.length; i++) if (tags[offset + i] !== shared[i]) return false;
  return true;
}

const EMPTY: readonly string[] = Object.freeze([]);

/** Group keys join values with control characters; a value containing one is kept per span instead. */
function hasSeparator(value: string): boolean {
  return value.includes(SEP) || value.includes('\u0002');
}

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
