/**
 * A fake istiod for tests: a real grpc-js server speaking ADS (StreamAggregatedResources) on
 * loopback, serving protobuf-encoded Envoy resources built from the real .proto definitions.
 * It records every DiscoveryRequest so tests can check ACK/NACK, and can end streams or go away.
 */
import * as grpc from '@grpc/grpc-js';
import { ADS_METHOD, DISCOVERY_REQUEST, DISCOVERY_RESPONSE, xdsType } from '../../src/xds/protos.js';
import { LISTENER_TYPE_URL } from '../../src/xds/ads-resources.js';
import type { RawAny } from '../../src/xds/ads-resources.js';

export interface RecordedRequest {
  version_info?: string;
  response_nonce?: string;
  type_url?: string;
  node?: { id?: string };
  error_detail?: { code?: number; message?: string };
}

const passthrough = (b: Buffer): Buffer => b;

export function listenerAny(listener: Record<string, unknown>): RawAny {
  const type = xdsType('envoy.config.listener.v3.Listener');
  return { type_url: LISTENER_TYPE_URL, value: type.encode(type.fromObject(listener)).finish() };
}

export class FakeIstiod {
  readonly requests: RecordedRequest[] = [];
  #server: grpc.Server | undefined;
  readonly #streams = new Set<grpc.ServerDuplexStream<Buffer, Buffer>>();
  #nonce = 0;
  /** What a new stream gets first (state of the world), if anything. */
  current: { version: string; resources: RawAny[] } | undefined;
  port = 0;

  async start(port = 0): Promise<number> {
    const server = new grpc.Server();
    server.addService({
      StreamAggregatedResources: {
        path: ADS_METHOD, requestStream: true, responseStream: true, originalName: 'streamAggregatedResources',
        requestSerialize: passthrough, requestDeserialize: passthrough, responseSerialize: passthrough, responseDeserialize: passthrough,
      },
    }, { StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => this.#onStream(call) });
    this.port = await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    this.#server = server;
    return this.port;
  }

  #onStream(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    this.#streams.add(call);
    const type = xdsType(DISCOVERY_REQUEST);
    let first = true;
    call.on('data', (bytes: Buffer) => {
      this.requests.push(type.toObject(type.decode(bytes), { longs: String, enums: String }));
      if (first && this.current !== undefined) this.#send(call, this.current.version, this.current.resources);
      first = false;
    });
    call.on('end', () => { this.#streams.delete(call); call.end(); });
    call.on('error', () => this.#streams.delete(call));
    call.on('cancelled', () => this.#streams.delete(call));
  }

  #send(call: grpc.ServerDuplexStream<Buffer, Buffer>, version: string, resources: RawAny[]): void {
    const type = xdsType(DISCOVERY_RESPONSE);
    const nonce = `n${++this.#nonce}`;
    call.write(Buffer.from(type.encode(type.fromObject({ version_info: version, nonce, type_url: LISTENER_TYPE_URL, resources })).finish()));
  }

  /** Pushes to every open stream; `keep` false sends without making it the state new streams get. */
  push(version: string, resources: RawAny[], keep = true): void {
    if (keep) this.current = { version, resources };
    for (const s of this.#streams) this.#send(s, version, resources);
  }

  get streams(): number {
    return this.#streams.size;
  }

  /** Ends every stream with OK, as istiod does when it rebalances connections. */
  endStreams(): void {
    for (const s of this.#streams) s.end();
    this.#streams.clear();
  }

  /** istiod going away. */
  async stop(): Promise<void> {
    this.#streams.clear();
    this.#server?.forceShutdown();
    this.#server = undefined;
    await Promise.resolve();
  }
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
