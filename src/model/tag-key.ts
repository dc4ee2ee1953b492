/**
 * What tag packing needs to know about a tag key: whether its values are shared between spans,
 * unique per request, or give the span one of its facts. Worked out once per distinct key
 * (decoders cache TagKeys), so packing a tag costs no set lookups or string switches.
 */

/** Keys whose values are low-cardinality and so worth sharing between spans. */
const SHARED_KEYS = new Set([
  'node_id', 'zone', 'component', 'upstream_cluster', 'upstream_cluster.name', 'downstream_cluster',
  'http.protocol', 'http.method', 'http.request.method', 'http.status_code', 'http.response.status_code',
  'response_flags', 'error', 'user_agent', 'user_agent.original', 'grpc.status_code', 'grpc.content_type',
  'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version', 'otel.status_code',
  'span.kind', 'peer.service', 'rpc.system', 'rpc.service', 'rpc.method', 'db.system',
]);

/** Values that are unique per request: interning them would only churn the interner. */
const UNIQUE_KEYS = new Set(['guid:x-request-id', 'guid:x-client-trace-id', 'http.url', 'url.full']);

/** The span facts a tag can give (see `PackedTags`). */
export const TagFact = {
  NONE: 0,
  /** `guid:x-request-id` */
  REQUEST_ID: 1,
  /** `http.status_code`, `http.response.status_code` */
  HTTP_STATUS: 2,
  /** `response_flags` */
  RESPONSE_FLAGS: 3,
  /** `error` */
  ERROR: 4,
  /** `upstream_cluster`: tells apart most of a sidecar's tag groups */
  CLUSTER: 5,
  /** `node_id`: which sidecar's tag groups to look in */
  NODE_ID: 6,
} as const;
export type TagFact = (typeof TagFact)[keyof typeof TagFact];

const FACTS: Readonly<Record<string, TagFact>> = {
  'guid:x-request-id': TagFact.REQUEST_ID,
  'http.status_code': TagFact.HTTP_STATUS,
  'http.response.status_code': TagFact.HTTP_STATUS,
  'response_flags': TagFact.RESPONSE_FLAGS,
  'error': TagFact.ERROR,
  'upstream_cluster': TagFact.CLUSTER,
  'node_id': TagFact.NODE_ID,
};

/** Keys whose value is low-cardinality, so spans can share it. */
export function isSharedTagKey(key: string): boolean {
  return SHARED_KEYS.has(key) || key.startsWith('istio.');
}

/** Keys whose values are unique per request: decoders need not look for an earlier copy of them. */
export function isUniqueTagKey(key: string): boolean {
  return UNIQUE_KEYS.has(key);
}

export class TagKey {
  /** The key as stored in tag arrays. */
  readonly name: string;
  /** Values go in the span's shared tag group (when short enough). */
  readonly shared: boolean;
  /** Values are unique per request: stored per span, never interned. */
  readonly unique: boolean;
  /** Which span fact the value gives, if any. */
  readonly fact: TagFact;

  constructor(name: string) {
    this.name = name;
    this.shared = isSharedTagKey(name);
    this.unique = UNIQUE_KEYS.has(name);
    this.fact = Object.hasOwn(FACTS, name) ? FACTS[name]! : TagFact.NONE;
  }
}
