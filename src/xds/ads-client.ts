/**
 * A state-of-the-world ADS subscriber (`StreamAggregatedResources`, v3) for one type URL,
 * impersonating one proxy's node so istiod generates that proxy's config. Follows the xDS
 * protocol: ACK with the response's version_info and nonce, NACK with the last accepted
 * version_info, the nonce and an error_detail (keeping the last good resources), and on a broken
 * or ended stream a restart with capped, jittered exponential backoff that re-sends the last
 * accepted version. Messages go over the wire as raw bytes (passthrough deserializer) so a corrupt
 * response becomes a NACK instead of a stream failure.
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol
 */
import * as grpc from '@grpc/grpc-js';
import { LISTENER_TYPE_URL, decodeDiscoveryResponse, decodeResources } from './ads-resources.js';
import { ADS_METHOD, DISCOVERY_REQUEST, xdsType } from './protos.js';
import { toStruct } from './struct.js';

export interface XdsNode {
  readonly id: string;
  readonly cluster?: string;
  /** Node metadata (Struct): istiod reads ISTIO_VERSION, LABELS, NAMESPACE, … from it. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface AdsUpdate {
  readonly versionInfo: string;
  /** Decoded resources as protobuf JSON (state of the world: replaces the previous set). */
  readonly resources: readonly Record<string, unknown>[];
  readonly receivedAtMs: number;
}

export interface AdsStatus {
  readonly connected: boolean;
  readonly acceptedVersion: string;
  readonly acks: number;
  readonly nacks: number;
  readonly streamsStarted: number;
  readonly lastError: string | undefined;
  readonly lastUpdateMs: number | undefined;
}

export interface AdsWatcherOptions {
  /** `host:port` of istiod's xDS port (15010 plaintext, 15012 mTLS). */
  readonly target: string;
  /** Default: insecure (plaintext 15010). */
  readonly credentials?: grpc.ChannelCredentials;
  readonly node: XdsNode;
  /** Default: LDS. */
  readonly typeUrl?: string;
  /** Empty: wildcard. */
  readonly resourceNames?: readonly string[];
  /** First restart delay, ms. Default 1000. */
  readonly initialBackoffMs?: number;
  /** Longest restart delay, ms. Default 30000. */
  readonly maxBackoffMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly onUpdate: (update: AdsUpdate) => void;
  /** NACKs and stream failures; informational, the watcher recovers by itself. */
  readonly onError?: (message: string) => void;
}

type Stream = grpc.ClientDuplexStream<Record<string, unknown>, Buffer>;

export class AdsWatcher {
  readonly #opts: AdsWatcherOptions;
  readonly #client: grpc.Client;
  readonly #typeUrl: string;
  #stream: Stream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #stopped = false;
  #status: { -readonly [K in keyof AdsStatus]: AdsStatus[K] } = {
    connected: false, acceptedVersion: '', acks: 0, nacks: 0, streamsStarted: 0, lastError: undefined, lastUpdateMs: undefined,
  };

  constructor(opts: AdsWatcherOptions) {
    this.#opts = opts;
    this.#typeUrl = opts.typeUrl ?? LISTENER_TYPE_URL;
    this.#client = new grpc.Client(opts.target, opts.credentials ?? grpc.credentials.createInsecure());
  }

  get status(): AdsStatus {
    return { ...this.#status };
  }

  start(): void {
    xdsType(DISCOVERY_REQUEST); // load the protos before the first message, not inside a stream callback
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#stream?.cancel();
    this.#stream = undefined;
    this.#client.close();
  }

  #request(extra: { version_info?: string; response_nonce?: string; error_detail?: { code: number; message: string } }): Record<string, unknown> {
    return {
      node: { id: this.#opts.node.id, cluster: this.#opts.node.cluster ?? '', metadata: toStruct(this.#opts.node.metadata ?? {}) },
      type_url: this.#typeUrl, resource_names: [...(this.#opts.resourceNames ?? [])], ...extra,
    };
  }

  #open(): void {
    if (this.#stopped) return;
    const type = xdsType(DISCOVERY_REQUEST);
    const serialize = (req: Record<string, unknown>): Buffer => Buffer.from(type.encode(type.fromObject(req)).finish());
    const stream = this.#client.makeBidiStreamRequest(ADS_METHOD, serialize, (b: Buffer) => b);
    this.#stream = stream;
    this.#status.streamsStarted++;
    stream.on('data', (bytes: Buffer) => this.#onResponse(stream, bytes));
    stream.on('error', (err: grpc.ServiceError) => this.#onBroken(stream, `stream failed: ${err.code} ${err.details}`));
    stream.on('end', () => this.#onBroken(stream, 'stream ended by the server'));
    // A new stream re-sends the last accepted version so the server can skip an unchanged push.
    stream.write(this.#request({ version_info: this.#status.acceptedVersion }));
  }

  #onResponse(stream: Stream, bytes: Buffer): void {
    if (stream !== this.#stream) return;
    this.#status.connected = true;
    this.#attempt = 0;
    const envelope = decodeDiscoveryResponse(bytes);
    if (!envelope.ok) {
      // No nonce to NACK with: restart the stream instead.
      this.#fail(envelope.errors.join('; '));
      stream.cancel();
      return;
    }
    const r = envelope.value;
    const decoded = r.type_url === this.#typeUrl ? decodeResources(r, this.#typeUrl) : { ok: false as const, errors: [`response for ${r.type_url}, subscribed to ${this.#typeUrl}`] };
    if (!decoded.ok) {
      const message = decoded.errors.join('; ');
      this.#status.nacks++;
      this.#fail(`NACK version ${r.version_info}: ${message}`);
      stream.write(this.#request({ version_info: this.#status.acceptedVersion, response_nonce: r.nonce, error_detail: { code: grpc.status.INVALID_ARGUMENT, message } }));
      return;
    }
    this.#status.acceptedVersion = r.version_info;
    this.#status.acks++;
    this.#status.lastUpdateMs = (this.#opts.now ?? Date.now)();
    stream.write(this.#request({ version_info: r.version_info, response_nonce: r.nonce }));
    this.#opts.onUpdate({ versionInfo: r.version_info, resources: decoded.value, receivedAtMs: this.#status.lastUpdateMs });
  }

  #fail(message: string): void {
    this.#status.lastError = message;
    this.#opts.onError?.(message);
  }

  #onBroken(stream: Stream, message: string): void {
    if (stream !== this.#stream || this.#stopped) return;
    this.#stream = undefined;
    this.#status.connected = false;
    this.#fail(message);
    const base = Math.min(this.#opts.maxBackoffMs ?? 30_000, (this.#opts.initialBackoffMs ?? 1000) * 2 ** this.#attempt);
    this.#attempt++;
    const delay = base * (0.5 + (this.#opts.random ?? Math.random)() / 2);
    this.#timer = setTimeout(() => this.#open(), delay);
    this.#timer.unref();
  }
}
