/**
 * Resident bytes per buffered span: decode Envoy-like batches through the decoders the server
 * uses for the format into the real trace buffer (nothing settles), then compare heap and RSS
 * with the empty state.
 *
 * Usage: memory.js <zipkin-json|otlp-proto> <spans>. Run with --expose-gc; prints one JSON line.
 */
import { DecodeContext } from '../src/ingest/index.js';
import { MemoryTraceStore, TraceAssembler } from '../src/traces/index.js';
import { envoyBodies, serverDecoder, wireFormatArg } from './server-decoder.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const format = wireFormatArg(process.argv[2], 'memory.js <zipkin-json|otlp-proto> <spans>');
// Encoded up front; the generator objects are dropped before the baseline is taken.
const bodies = envoyBodies(format, Number(process.argv[3] ?? 200_000));
const decode = serverDecoder(format, new DecodeContext());
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
