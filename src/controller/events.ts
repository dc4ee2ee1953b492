/**
 * core/v1 Events on policies (what `kubectl describe msp` shows), sent in the background the way
 * client-go's event broadcaster does: a reconcile never waits for them, and when the API server
 * cannot keep up the newest beyond a bound are dropped (and counted) rather than held in memory.
 * Events are advisory: the policy's status already says the same thing.
 */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PolicyEvent } from './conditions.js';
import { POLICY_API_VERSION, POLICY_KIND } from './policy.js';
import type { SamplingPolicy } from './policy.js';

type EventBody = CoreV1Event & { metadata: { namespace: string } };

export interface EventRecorderOptions {
  /** Reported as source.component and reportingComponent. */
  readonly component: string;
  /** Events waiting to be sent; beyond it new ones are dropped. Default 1000, as client-go. */
  readonly maxQueued?: number;
  /** Events sent at once. Default 1: events compete with the writes that change sampling. */
  readonly concurrency?: number;
  /** Told once each time the queue overflows. */
  readonly log?: Logger;
}

export function eventBody(policy: SamplingPolicy, event: PolicyEvent, component: string, now: Date): EventBody {
  const { name, namespace, uid } = policy.metadata;
  return {
    metadata: { name: `${name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace },
    involvedObject: { apiVersion: POLICY_API_VERSION, kind: POLICY_KIND, name, namespace, ...(uid !== undefined ? { uid } : {}) },
    type: event.type, reason: event.reason, message: event.message.slice(0, 1024),
    source: { component }, reportingComponent: component, firstTimestamp: now, lastTimestamp: now, count: 1,
  };
}

export class EventRecorder {
  readonly #send: (body: EventBody) => Promise<void>;
  readonly #o: Required<Omit<EventRecorderOptions, 'log'>> & EventRecorderOptions;
  readonly #queue: EventBody[] = [];
  #active = 0;
  #overflowing = false;
  #idle: (() => void)[] = [];
  /** Events dropped because the queue was full. */
  dropped = 0;
  /** Events the API server refused or that failed after retries. */
  failed = 0;

  constructor(send: (body: EventBody) => Promise<void>, options: EventRecorderOptions) {
    this.#send = send;
    this.#o = { maxQueued: 1000, concurrency: 1, ...options };
  }

  record(policy: SamplingPolicy, event: PolicyEvent): void {
    if (this.#queue.length >= this.#o.maxQueued) {
      if (this.#overflowing === false) this.#o.log?.warn({ queued: this.#queue.length }, 'the API server is not keeping up with events; dropping new ones until it does');
      this.#overflowing = true;
      this.dropped++;
      return;
    }
    this.#queue.push(eventBody(policy, event, this.#o.component, new Date()));
    this.#pump();
  }

  /** Resolves once every queued event is sent, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void> {
    if (this.#queue.length === 0 && this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.#idle.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  #pump(): void {
    while (this.#active < this.#o.concurrency && this.#queue.length > 0) {
      const body = this.#queue.shift()!;
      this.#active++;
      this.#send(body).catch(() => { this.failed++; }).finally(() => {
        this.#active--;
        if (this.#queue.length === 0) this.#overflowing = false;
        if (this.#queue.length === 0 && this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve();
        this.#pump();
      });
    }
  }
}
