/**
 * Resident bytes per buffered span: decode Envoy-like batches through the real decoders into the
 * real trace buffer (nothing settles), then compare heap and RSS with the empty state.
 * Run with --expose-gc; prints one JSON line.
 */
import { DecodeContext } from '../src/ingest/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import { decodeZipkinJson } from '../src/zipkin-ingest/index.js';
import { envoyBatches } from './envoy-spans.js';
import { zipkinJson } from './encode.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const count = Number(process.argv[2] ?? 200_000);
// Encode up front, in chunks, and drop the generator objects before the baseline is taken.
const bodies: Buffer[] = [];
for (let seed = 1; bodies.length * 100 < count; seed++) {
  for (const b of envoyBatches(10_000, 100, seed)) bodies.push(zipkinJson(b));
}
bodies.length = Math.ceil(count / 100);
const ctx = new DecodeContext();
const store = new MemoryTraceStore({ retentionMs: 3_600_000, maxSpans: 10_000_000 });
const assembler = new TraceAssembler({ settleMs: 3_600_000, maxBufferedSpans: 10_000_000, maxTraceAgeMs: 3_600_000, store, now: Date.now });
gc(); gc();
const before = process.memoryUsage();
for (const body of bodies) assembler.accept(decodeZipkinJson(JSON.parse(body.toString('utf8')), ctx).spans);
gc(); gc();
const after = process.memoryUsage();
const spans = assembler.stats().bufferedSpans;
process.stdout.write(JSON.stringify({
  spans,
  heapBytesPerSpan: Math.round((after.heapUsed - before.heapUsed) / spans),
  rssBytesPerSpan: Math.round((after.rss - before.rss) / spans),
}) + '\n');
