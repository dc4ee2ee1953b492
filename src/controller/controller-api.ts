/**
 * Every API call the controller makes, over kube-rest.ts: paged lists and watches for the caches,
 * server-side apply of Telemetries, merge patches of policies, Events and Leases. Writes are
 * retried (retry.ts); watches and lists are retried by list-watch.ts's own loop.
 */
import type { CoreV1Event, V1Lease } from '@kubernetes/client-node';
import type { KubeConnection } from './kube-connection.js';
import { KubeRest } from './kube-rest.js';
import type { Query, WatchEvent } from './kube-rest.js';
import type { LeaseApi } from './leader.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from './policy.js';
import type { SamplingPolicy, SamplingPolicySpec, SamplingPolicyStatus } from './policy.js';
import { statusOf, withRetry } from './retry.js';
import type { RetryOptions } from './retry.js';
import { FIELD_MANAGER, TELEMETRY_GROUP, TELEMETRY_PLURAL, TELEMETRY_VERSION } from './telemetry.js';
import type { Telemetry } from './telemetry.js';
import type { PodMetadata } from './workloads.js';

export interface ObjectList<T> { readonly items: T[]; readonly metadata: { readonly resourceVersion?: string } }

/** Objects per list page: a few hundred kilobytes of JSON to parse at a time, not the whole collection. */
const PAGE = 250;
const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
/** Pods as metadata only (labels and annotations are all workloads.ts reads), plain JSON if refused. */
const POD_METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const seg = encodeURIComponent;
export const policiesPath = (ns?: string): string =>
  `/apis/${POLICY_GROUP}/${POLICY_VERSION}${ns === undefined ? '' : `/namespaces/${seg(ns)}`}/${POLICY_PLURAL}`;
export const telemetriesPath = (ns?: string): string =>
  `/apis/${TELEMETRY_GROUP}/${TELEMETRY_VERSION}${ns === undefined ? '' : `/namespaces/${seg(ns)}`}/${TELEMETRY_PLURAL}`;
export const configMapsPath = (ns: string): string => `/api/v1/namespaces/${seg(ns)}/configmaps`;
const leasePath = (ns: string, name?: string): string => `/apis/coordination.k8s.io/v1/namespaces/${seg(ns)}/leases${name === undefined ? '' : `/${seg(name)}`}`;

export class ControllerApi implements LeaseApi {
  readonly #rest: KubeRest;
  readonly #retry: RetryOptions;

  constructor(connection: KubeConnection, retry: RetryOptions = {}) {
    this.#rest = new KubeRest(connection);
    this.#retry = retry;
  }

  retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.#retry);
  }

  /** Every object of a collection, a page at a time, each item mapped (compacted) as its page arrives. */
  async listAll<T>(path: string, query: Query, map: (raw: T) => T): Promise<ObjectList<T>> {
    const items: T[] = [];
    let page: { items: T[] | null; metadata: { resourceVersion?: string; continue?: string } };
    let next: string | undefined;
    do {
      page = await this.#rest.request('GET', path, { query: { ...query, limit: PAGE, continue: next } });
      for (const raw of page.items ?? []) items.push(map(raw));
      next = page.metadata.continue || undefined;
    } while (next !== undefined);
    return { items, metadata: page.metadata.resourceVersion !== undefined ? { resourceVersion: page.metadata.resourceVersion } : {} };
  }

  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    return this.#rest.watch(path, query, onEvent, signal);
  }

  /**
   * The pods a selector picks, from the API server's watch cache (resourceVersion 0): pods are not
   * watched here, so a read that is a moment old is as good as a quorum read and far cheaper.
   */
  async listPodMetadata(namespace: string, labelSelector?: string): Promise<PodMetadata[]> {
    const list = await this.retry(() => this.#rest.request<{ items: PodMetadata[] | null }>('GET', `/api/v1/namespaces/${seg(namespace)}/pods`, {
      query: { labelSelector, resourceVersion: '0' }, accept: POD_METADATA_ACCEPT,
    }));
    return list.items ?? []; // a PartialObjectMetadataList without items says `null`
  }

  /** Server-side apply as meshtrace-controller. Force: the object is ours, so take back any field someone edited. */
  applyTelemetry(t: Telemetry): Promise<Telemetry> {
    return this.retry(() => this.#rest.request<Telemetry>('PATCH', `${telemetriesPath(t.metadata.namespace)}/${seg(t.metadata.name)}`, {
      query: { fieldManager: FIELD_MANAGER, force: true }, body: t, contentType: APPLY_PATCH,
    }));
  }

  /** Deletes a Telemetry; already gone counts as done. */
  async deleteTelemetry(namespace: string, name: string): Promise<void> {
    await this.#notFoundIsFine(() => this.retry(() => this.#rest.request('DELETE', `${telemetriesPath(namespace)}/${seg(name)}`)));
  }

  /** Merge-patches metadata/spec of a policy; pass resourceVersion for optimistic concurrency. */
  patchPolicy(namespace: string, name: string, body: { metadata?: Record<string, unknown>; spec?: SamplingPolicySpec | Record<string, unknown> }): Promise<SamplingPolicy> {
    return this.retry(() => this.#rest.request<SamplingPolicy>('PATCH', `${policiesPath(namespace)}/${seg(name)}`, {
      query: { fieldManager: FIELD_MANAGER }, body, contentType: MERGE_PATCH,
    }));
  }

  /** Merge-patches status; keys set to null are removed. */
  patchPolicyStatus(namespace: string, name: string, status: SamplingPolicyStatus | Record<string, unknown>): Promise<SamplingPolicy> {
    return this.retry(() => this.#rest.request<SamplingPolicy>('PATCH', `${policiesPath(namespace)}/${seg(name)}/status`, {
      query: { fieldManager: FIELD_MANAGER }, body: { status }, contentType: MERGE_PATCH,
    }));
  }

  async createEvent(event: CoreV1Event & { metadata: { namespace: string } }): Promise<void> {
    await this.retry(() => this.#rest.request('POST', `/api/v1/namespaces/${seg(event.metadata.namespace)}/events`, { body: event }));
  }

  readNamespacedLease(p: { namespace: string; name: string }): Promise<V1Lease> {
    return this.#rest.request<V1Lease>('GET', leasePath(p.namespace, p.name));
  }

  createNamespacedLease(p: { namespace: string; body: V1Lease }): Promise<V1Lease> {
    return this.#rest.request<V1Lease>('POST', leasePath(p.namespace), { body: p.body });
  }

  replaceNamespacedLease(p: { namespace: string; name: string; body: V1Lease }): Promise<V1Lease> {
    return this.#rest.request<V1Lease>('PUT', leasePath(p.namespace, p.name), { body: p.body });
  }

  close(): void {
    this.#rest.close();
  }

  async #notFoundIsFine<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }
}
