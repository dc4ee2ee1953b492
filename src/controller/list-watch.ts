/**
 * A list-then-watch cache for one resource. client-node's informer neither asks for bookmarks nor
 * restarts itself after an error, so this one does both:
 * - watches resume from the last resourceVersion seen, bookmarks included, so a reconnect (API
 *   server restart, load balancer timeout) replays every change it missed;
 * - 410 Gone (the version was compacted away) → a fresh list, whose differences are emitted as
 *   adds, updates and deletes, so no change is lost either way;
 * - other failures back off (200 ms doubling to 5 s) and retry forever until stop().
 */
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ObjectList } from './kube.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Keyed { readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string } }

export interface ListWatchOptions<T extends Keyed> {
  /** API path of the collection, e.g. `/apis/meshtrace.io/v1alpha1/samplingpolicies`. */
  readonly path: string;
  readonly list: () => Promise<ObjectList<T>>;
  readonly fieldSelector?: string;
  readonly onEvent: (type: WatchEventType, obj: T) => void;
  readonly log: Logger;
  /** Server-side watch timeout, s; the watch is reopened from the last version. Default 300. */
  readonly timeoutSeconds?: number;
}

const key = (o: Keyed): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ListWatch<T extends Keyed> {
  readonly #options: ListWatchOptions<T>;
  readonly #watch: Watch;
  readonly #items = new Map<string, T>();
  #resourceVersion = '';
  #abort: AbortController | undefined;
  #stopped = false;
  #synced: Promise<void>;
  #markSynced!: () => void;
  /** Relists after 410 Gone, for tests and metrics. */
  relists = 0;

  constructor(kc: KubeConfig, options: ListWatchOptions<T>) {
    this.#options = options;
    this.#watch = new Watch(kc);
    this.#synced = new Promise((resolve) => { this.#markSynced = resolve; });
  }

  /** Starts the loop; resolves after the first list. */
  start(): Promise<void> {
    void this.#loop();
    return this.#synced;
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  get(namespace: string, name: string): T | undefined {
    return this.#items.get(`${namespace}/${name}`);
  }

  list(namespace?: string): T[] {
    const all = [...this.#items.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  async #loop(): Promise<void> {
    let backoff = 200;
    while (!this.#stopped) {
      try {
        if (this.#resourceVersion === '') await this.#relist();
        const err = await this.#watchOnce();
        if (this.#stopped) return;
        if (err === undefined) { backoff = 200; continue; }
        if (statusOfWatchError(err) === 410) {
          this.#resourceVersion = '';
          this.relists++;
          this.#options.log.info({ path: this.#options.path }, 'watch expired (410 Gone); relisting');
          continue;
        }
        throw err instanceof Error ? err : new Error(`watch failed: ${JSON.stringify(err)}`);
      } catch (err) {
        if (this.#stopped) return;
        this.#options.log.warn({ path: this.#options.path, err: String(err), retryInMs: backoff }, 'list/watch failed; retrying');
        await sleep(backoff);
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.#options.list();
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(key(obj));
      this.#store('ADDED', obj);
    }
    for (const [k, obj] of [...this.#items]) {
      if (!seen.has(k)) {
        this.#items.delete(k);
        this.#options.onEvent('DELETED', obj);
      }
    }
    this.#resourceVersion = list.metadata.resourceVersion ?? '';
    this.#markSynced();
  }

  #store(type: 'ADDED' | 'MODIFIED', obj: T): void {
    // managedFields is often the largest part of an object and nothing here reads it.
    delete (obj.metadata as { managedFields?: unknown }).managedFields;
    const before = this.#items.get(key(obj));
    this.#items.set(key(obj), obj);
    if (before?.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#options.onEvent(before === undefined ? 'ADDED' : 'MODIFIED', obj);
    else if (type === 'MODIFIED') this.#options.onEvent(type, obj);
  }

  /** One watch connection; resolves with its error (undefined when the server closed it normally). */
  #watchOnce(): Promise<unknown> {
    return new Promise((resolve) => {
      let gone: unknown;
      const params: Record<string, string | number | boolean> = {
        resourceVersion: this.#resourceVersion, allowWatchBookmarks: true,
        timeoutSeconds: Math.round((this.#options.timeoutSeconds ?? 300) * (0.9 + Math.random() * 0.2)),
      };
      if (this.#options.fieldSelector !== undefined) params.fieldSelector = this.#options.fieldSelector;
      this.#watch.watch(this.#options.path, params, (phase: string, obj: T & { code?: number }) => {
        if (phase === 'ERROR') {
          gone = Object.assign(new Error(`watch error ${obj.code ?? ''}`), { code: obj.code });
          this.#abort?.abort();
          return;
        }
        if (phase === 'BOOKMARK') {
          this.#resourceVersion = obj.metadata.resourceVersion ?? this.#resourceVersion;
          return;
        }
        if (phase === 'DELETED') {
          this.#items.delete(key(obj));
          this.#options.onEvent('DELETED', obj);
        } else if (phase === 'ADDED' || phase === 'MODIFIED') {
          this.#store(phase, obj);
        }
        this.#resourceVersion = obj.metadata.resourceVersion ?? this.#resourceVersion;
      }, (err: unknown) => resolve(gone ?? (isAbort(err) ? undefined : err ?? undefined)))
        .then((abort) => { this.#abort = abort; }, resolve);
    });
  }
}

function isAbort(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'AbortError';
}

function statusOfWatchError(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  const code = e?.statusCode ?? e?.code;
  return typeof code === 'number' ? code : undefined;
}
