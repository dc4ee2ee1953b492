/**
 * Recognizes the watch events that only bring the controller's own writes back. Every finalizer,
 * Telemetry and status the controller writes returns through its watches, and re-reconciling for
 * each would double the work of every change. An event whose resourceVersion is the one our write
 * returned is ours; the watch often delivers it before the write's own response arrives, so an
 * event for an object with a write in flight is decided once that write returns.
 *
 * Only writes that cannot be no-ops over someone else's change belong here: a patch without a
 * resourceVersion precondition that changes nothing returns the object's current version, which
 * may carry another writer's change, and that change would be taken for our echo.
 */
export class OwnWrites {
  /** Object key → resourceVersion our latest write to it returned, until its event comes back. */
  readonly #returned = new Map<string, string>();
  /** Object key → the resourceVersion the write in flight will return (undefined if it fails). */
  readonly #inFlight = new Map<string, Promise<string | undefined>>();

  /** Runs a write to the object under `key`, remembering the version it returns. */
  async track<T extends { readonly metadata?: { readonly resourceVersion?: string } } | undefined>(key: string, write: () => Promise<T>): Promise<T> {
    let settle!: (resourceVersion: string | undefined) => void;
    const returned = new Promise<string | undefined>((resolve) => { settle = resolve; });
    this.#inFlight.set(key, returned);
    let resourceVersion: string | undefined;
    try {
      const written = await write();
      resourceVersion = written?.metadata?.resourceVersion;
      if (resourceVersion !== undefined) this.#returned.set(key, resourceVersion);
      return written;
    } finally {
      if (this.#inFlight.get(key) === returned) this.#inFlight.delete(key);
      settle(resourceVersion);
    }
  }

  /**
   * Calls `act` for an event that carries a version of the object under `key`, unless that version
   * is our own write coming back (then or once the write in flight returns).
   */
  unlessOwn(key: string, resourceVersion: string | undefined, act: () => void): void {
    if (resourceVersion !== undefined && this.#returned.get(key) === resourceVersion) {
      this.#returned.delete(key);
      return;
    }
    const pending = this.#inFlight.get(key);
    if (pending === undefined) return act();
    void pending.then((returned) => {
      if (returned !== undefined && returned === resourceVersion) this.#returned.delete(key);
      else act();
    });
  }

  /** The object is gone: nothing of it will come back. */
  forget(key: string): void {
    this.#returned.delete(key);
  }
}
