/**
 * Envoy-like request bodies and the decoder the server uses for them, shared by the bench's
 * in-process measurements (memory per span, pipeline stages). Zipkin JSON goes through the
 * byte-level reader, with `JSON.parse` only for a body it declines, as in the server.
 */
import type { DecodeContext } from '../src/ingest/index.js';
import type { DecodedBatch } from '../src/model/index.js';
import { decodeOtlpProto } from '../src/otlp-ingest/index.js';
import { decodeZipkinJson } from '../src/zipkin-ingest/index.js';
import { scanZipkinJson } from '../src/zipkin-ingest/json-scan.js';
import { envoyBatches } from './envoy-spans.js';
import { otlpProto, zipkinJson } from './encode.js';

export type WireFormat = 'zipkin-json' | 'otlp-proto';

/** The format named by a command-line argument, or an error saying which ones there are. */
export function wireFormatArg(arg: string | undefined, usage: string): WireFormat {
  if (arg !== 'zipkin-json' && arg !== 'otlp-proto') throw new Error(`usage: ${usage}`);
  return arg;
}

/** Bodies of 100 spans each, distinct traces in all, enough for `spans`. */
export function envoyBodies(format: WireFormat, spans: number): Buffer[] {
  const encode = format === 'zipkin-json' ? zipkinJson : otlpProto;
  const bodies: Buffer[] = [];
  for (let seed = 1; bodies.length * 100 < spans; seed++) {
    for (const b of envoyBatches(10_000, 100, seed)) if (b.length === 100) bodies.push(Buffer.from(encode(b)));
  }
  bodies.length = Math.ceil(spans / 100);
  return bodies;
}

/** Decodes a body the way the server's route for the format does. */
export function serverDecoder(format: WireFormat, ctx: DecodeContext): (body: Buffer) => DecodedBatch {
  return format === 'otlp-proto'
    ? (body) => decodeOtlpProto(body, ctx, 'otlp-grpc')
    : (body) => scanZipkinJson(body, ctx) ?? decodeZipkinJson(JSON.parse(body.toString('utf8')), ctx);
}
