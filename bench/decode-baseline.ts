/**
 * The decode baselines, each in a fresh process of its own: `JSON.parse` of the Zipkin JSON
 * bodies, protobufjs decode of the OTLP and Zipkin proto bodies. Measured away from the bench
 * process, whose heap holds every generated body and whose load drivers have just run, so the
 * baseline is the decoder alone on one core.
 *
 * Usage: decode-baseline.js <json|otlp|zipkin> <bodies file> <ms>. The file holds the bodies, each
 * after its uint32 big-endian length. Prints the spans decoded and the CPU seconds used (100 spans per body).
 */
import { readFileSync } from 'node:fs';
import { ExportTraceServiceRequest } from '../src/otlp-ingest/otlp-proto.js';
import { ListOfSpans } from '../src/zipkin-ingest/index.js';

const DECODERS: Record<string, (b: Buffer) => unknown> = {
  json: (b): unknown => JSON.parse(b.toString('utf8')) as unknown,
  otlp: (b) => ExportTraceServiceRequest.decode(b),
  zipkin: (b) => ListOfSpans.decode(b),
};

/** Bodies written by `writeBodies`. */
function readBodies(file: string): Buffer[] {
  const all = readFileSync(file);
  const bodies: Buffer[] = [];
  for (let at = 0; at < all.length;) {
    const length = all.readUInt32BE(at);
    bodies.push(all.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return bodies;
}

function main(): void {
  const [mode, file, ms] = process.argv.slice(2);
  const decode = DECODERS[mode ?? ''];
  if (decode === undefined || file === undefined) throw new Error('usage: decode-baseline.js <json|otlp|zipkin> <file> <ms>');
  const bodies = readBodies(file);
  for (let i = 0; i < Math.min(bodies.length, 50); i++) decode(bodies[i]!); // warm up
  const start = process.cpuUsage();
  const wallEnd = Date.now() + Number(ms);
  let spans = 0;
  for (let i = 0; Date.now() < wallEnd; i++) {
    decode(bodies[i % bodies.length]!);
    spans += 100;
  }
  const used = process.cpuUsage(start);
  process.stdout.write(`${spans} ${(used.user + used.system) / 1e6}\n`);
}

main();
