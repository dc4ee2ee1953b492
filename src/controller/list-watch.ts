/**
 * A list-then-watch cache for one resource, indexed by namespace. client-node's informer neither
 * asks for bookmarks nor restarts itself after an error, so this one does both:
 * - watches resume from the last resourceVersion seen, bookmarks included, so a reconnect (API
 *   server restart, load balancer timeout) replays every change it missed;
 * - 410 Gone (the version was compacted away) → a fresh list, whose differences are emitted as
 *   adds, updates and deletes, so no change is lost either way;
 * - other failures back off (200 ms doubling to 5 s) and retry forever until stop().
 * Objects are stored as `compact` returns them (compact.ts), never as received.
 */
import type { Logger } from 'pino';
import type { ObjectList } from './controller-api.js';
import type { Query, WatchEvent } from './kube-rest.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Keyed { readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string } }

/** The two calls a cache needs (controller-api.ts). */
export interface ListWatchSource {
  listAll<T>(path: string, query: Query, map: (raw: T) => T): Promise<ObjectList<T>>;
  watch(path: string, query: Query, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

export interface ListWatchOptions<T extends Keyed> {
  /** API path of the collection, e.g. `/apis/meshtrace.io/v1alpha1/samplingpolicies`. */
  readonly path: string;
  readonly fieldSelector?: string;
  /** What to keep of each object. */
  readonly compact: (raw: T) => T;
  /** `previous` is the cached object this one replaces (undefined when added). */
  readonly onEvent: (type: WatchEventType, obj: T, previous: T | undefined) => void;
  readonly log: Logger;
  /** Server-side watch timeout, s; the watch is reopened from the last version. Default 300. */
  readonly timeoutSeconds?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ListWatch<T extends Keyed> {
  readonly #source: ListWatchSource;
  readonly #options: ListWatchOptions<T>;
  /** namespace → name → object. */
  readonly #items = new Map<string, Map<string, T>>();
  #size = 0;
  #resourceVersion = '';
  #abort: AbortController | undefined;
  #stopped = false;
  #synced: Promise<void>;
  #markSynced!: () => void;
  /** Relists after 410 Gone, for tests and metrics. */
  relists = 0;

  constructor(source: ListWatchSource, options: ListWatchOptions<T>) {
    this.#source = source;
    this.#options = options;
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

  get size(): number {
    return this.#size;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#items.get(namespace)?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.#items.get(namespace)?.values() ?? [])];
    return [...this.#items.values()].flatMap((byName) => [...byName.values()]);
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
    const query = this.#options.fieldSelector !== undefined ? { fieldSelector: this.#options.fieldSelector } : {};
    const list = await this.#source.listAll<T>(this.#options.path, query, this.#options.compact);
    const seen = new Map<string, Set<string>>();
    for (const obj of list.items) {
      const ns = obj.metadata.namespace ?? '';
      let names = seen.get(ns);
      if (names === undefined) seen.set(ns, names = new Set<string>());
      names.add(obj.metadata.name);
      this.#store('ADDED', obj);
    }
    for (const [ns, byName] of this.#items) {
      for (const [name, obj] of byName) if (seen.get(ns)?.has(name) !== true) this.#remove(obj);
    }
    this.#resourceVersion = list.metadata.resourceVersion ?? '';
    this.#markSynced();
  }

  #store(type: 'ADDED' | 'MODIFIED', obj: T): void {
    const ns = obj.metadata.namespace ?? '';
    let byName = this.#items.get(ns);
    if (byName === undefined) this.#items.set(ns, byName = new Map<string, T>());
    const before = byName.get(obj.metadata.name);
    byName.set(obj.metadata.name, obj);
    if (before === undefined) this.#size++;
    if (before?.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#options.onEvent(before === undefined ? 'ADDED' : 'MODIFIED', obj, before);
    else if (type === 'MODIFIED') this.#options.onEvent(type, obj, before);
  }

  #remove(obj: T): void {
    const ns = obj.metadata.namespace ?? '';
    const byName = this.#items.get(ns);
    const before = byName?.get(obj.metadata.name);
    if (byName === undefined || before === undefined) return;
    byName.delete(obj.metadata.name);
    if (byName.size === 0) this.#items.delete(ns);
    this.#size--;
    this.#options.onEvent('DELETED', obj, before);
  }

  /** One watch connection; resolves with its error (undefined when the server closed it normally). */
  async #watchOnce(): Promise<unknown> {
    let gone: unknown;
    const abort = new AbortController();
    this.#abort = abort;
    if (this.#stopped) return undefined;
    const query: Query = {
      resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, fieldSelector: this.#options.fieldSelector,
      timeoutSeconds: Math.round((this.#options.timeoutSeconds ?? 300) * (0.9 + Math.random() * 0.2)),
    };
    try {
      await this.#source.watch(this.#options.path, query, (event) => {
        const obj = event.object as T & { code?: number };
        if (event.type === 'ERROR') {
          gone = Object.assign(new Error(`watch error ${obj.code ?? ''}`), { code: obj.code });
          abort.abort();
          return;
        }
        if (event.type === 'BOOKMARK') {
          this.#resourceVersion = obj.metadata.resourceVersion ?? this.#resourceVersion;
          return;
        }
        if (event.type === 'DELETED') this.#remove(this.#options.compact(obj));
        else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.#store(event.type, this.#options.compact(obj));
        this.#resourceVersion = obj.metadata.resourceVersion ?? this.#resourceVersion;
      }, abort.signal);
      return gone;
    } catch (err) {
      return gone ?? err;
    }
  }
}

function statusOfWatchError(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  const code = e?.statusCode ?? e?.code;
  return typeof code === 'number' ? code : undefined;
}
