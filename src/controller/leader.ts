/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the
 * holder renews every `renewMs`; others take over once `renewTime + leaseDurationSeconds` has
 * passed; every write carries the read resourceVersion, so of two replicas racing for an expired
 * Lease exactly one wins (the other gets 409). On stop the holder clears the Lease so a successor
 * need not wait out the duration.
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { statusOf } from './retry.js';

/** The Lease calls, shaped like client-node's CoordinationV1Api (controller-api.ts implements them). */
export interface LeaseApi {
  readNamespacedLease(p: { namespace: string; name: string }): Promise<V1Lease>;
  createNamespacedLease(p: { namespace: string; body: V1Lease }): Promise<V1Lease>;
  replaceNamespacedLease(p: { namespace: string; name: string; body: V1Lease }): Promise<V1Lease>;
}

export interface LeaderOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** Default 15. */
  readonly leaseDurationSeconds?: number;
  /** Default a third of the lease duration, at most 5000. */
  readonly renewMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly log: Logger;
}

/**
 * Lease times are MicroTime, which the API server parses with exactly six fractional digits;
 * a Date would be serialized with toISOString()'s three, so send the string itself (typed as the
 * Date that client-node's V1Lease declares).
 */
function microTime(ms: number): Date {
  return new Date(ms).toISOString().replace(/Z$/, '000Z') as unknown as Date;
}

function timeOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  return typeof v === 'string' ? Date.parse(v) : 0;
}

export class LeaderElector {
  readonly #api: LeaseApi;
  readonly #o: LeaderOptions;
  #leading = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(api: LeaseApi, options: LeaderOptions) {
    this.#api = api;
    this.#o = { ...options, renewMs: options.renewMs ?? Math.min(5000, ((options.leaseDurationSeconds ?? 15) * 1000) / 3) };
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    void this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let leading = false;
    try {
      leading = await this.tryAcquireOrRenew(Date.now());
    } catch (err) {
      this.#o.log.warn({ err: String(err) }, 'lease renewal failed');
      // Keep leading only while the Lease we hold cannot have expired for others.
      leading = this.#leading && Date.now() - this.#lastRenew < (this.#o.leaseDurationSeconds ?? 15) * 1000 * 0.8;
    }
    this.#setLeading(leading);
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), leading ? this.#o.renewMs ?? 5000 : Math.max(1000, (this.#o.renewMs ?? 5000) / 2));
  }

  #lastRenew = 0;

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#o.log.info({ identity: this.#o.identity, lease: `${this.#o.namespace}/${this.#o.name}` }, leading ? 'became leader' : 'lost leadership');
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }

  /** One election round; true when this replica holds the Lease afterwards. */
  async tryAcquireOrRenew(nowMs: number): Promise<boolean> {
    const { namespace, name, identity } = this.#o;
    const duration = this.#o.leaseDurationSeconds ?? 15;
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return this.#create(nowMs);
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const expired = timeOf(spec.renewTime) + (spec.leaseDurationSeconds ?? duration) * 1000 < nowMs;
    if (holder !== identity && holder !== '' && !expired) return false;
    const takingOver = holder !== identity;
    const body: V1Lease = { ...lease, spec: {
      ...spec, holderIdentity: identity, leaseDurationSeconds: duration, renewTime: microTime(nowMs),
      ...(takingOver ? { acquireTime: microTime(nowMs), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
    } };
    try {
      await this.#api.replaceNamespacedLease({ namespace, name, body });
      this.#lastRenew = nowMs;
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  /** First replica ever: create the Lease; 409 means another replica created it first. */
  async #create(nowMs: number): Promise<boolean> {
    const { namespace, name, identity } = this.#o;
    try {
      await this.#api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: {
        holderIdentity: identity, leaseDurationSeconds: this.#o.leaseDurationSeconds ?? 15, acquireTime: microTime(nowMs), renewTime: microTime(nowMs), leaseTransitions: 0,
      } } });
      this.#lastRenew = nowMs;
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  /** Stops renewing and, when leading, releases the Lease for the next replica. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (!this.#leading) return;
    try {
      const lease = await this.#api.readNamespacedLease({ namespace: this.#o.namespace, name: this.#o.name });
      if (lease.spec?.holderIdentity === this.#o.identity) {
        await this.#api.replaceNamespacedLease({ namespace: this.#o.namespace, name: this.#o.name, body: {
          ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) },
        } });
      }
    } catch (err) {
      this.#o.log.warn({ err: String(err) }, 'could not release the lease; the next leader waits for it to expire');
    }
    this.#setLeading(false);
  }
}
