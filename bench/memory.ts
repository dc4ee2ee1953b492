/**
 * Resident bytes per buffered span: decode Envoy-like batches through the decoders the server
 * uses for the format into the real trace buffer (nothing settles), then compare heap and RSS
 * with the empty state. Zipkin JSON goes through the byte-level reader, with `JSON.parse` only
 * for a body it declines, as in the server.
 *
 * Usage: memory.js <zipkin-json|otlp-proto> <spans>. Run with --expose-gc; prints one JSON line.
 */
import { DecodeContext } from '../src/ingest/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import type { DecodedBatch } from '../src/model/index.js';
import { decodeOtlpProto } from '../src/otlp-ingest/index.js';
import { decodeZipkinJson } from '../src/zipkin-ingest/index.js';
import { scanZipkinJson } from '../src/zipkin-ingest/json-scan.js';
import { envoyBatches } from './envoy-spans.js';
import { otlpProto, zipkinJson } from './encode.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const format = process.argv[2];
if (format !== 'zipkin-json' && format !== 'otlp-proto') throw new Error('usage: memory.js <zipkin-json|otlp-proto> <spans>');
const count = Number(process.argv[3] ?? 200_000);
const encode = format === 'zipkin-json' ? zipkinJson : otlpProto;
// Encode up front, in chunks, and drop the generator objects before the baseline is taken.
const bodies: Buffer[] = [];
for (let seed = 1; bodies.length * 100 < count; seed++) {
  for (const b of envoyBatches(10_000, 100, seed)) bodies.push(Buffer.from(encode(b)));
}
bodies.length = Math.ceil(count / 100);
const ctx = new DecodeContext();
const decode = format === 'otlp-proto' ? (body: Buffer): DecodedBatch => decodeOtlpProto(body, ctx, 'otlp-grpc')
  : (body: Buffer): DecodedBatch => scanZipkinJson(body, ctx) ?? decodeZipkinJson(JSON.parse(body.toString('utf8')), ctx);
const store = new MemoryTraceStore({ retentionMs: 3_600_000, maxSpans: 10_000_000 });
const assembler = new TraceAssembler({ settleMs: 3_600_000, maxBufferedSpans: 10_000_000, maxTraceAgeMs: 3_600_000, store, now: Date.now });
gc(); gc();
const before = process.memoryUsage();
for (const body of bodies) assembler.accept(decode(body).spans);
gc(); gc();
const after = process.memoryUsage();
const spans = assembler.stats().bufferedSpans;
process.stdout.write(JSON.stringify({
  spans,
  heapBytesPerSpan: Math.round((after.heapUsed - before.heapUsed) / spans),
  rssBytesPerSpan: Math.round((after.rss - before.rss) / spans),
}) + '\n');
