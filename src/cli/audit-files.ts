/**
 * `meshtrace audit FILE...`: the propagation audit over exported spans, without a cluster.
 * Accepts Zipkin v2 JSON (a span array, or the trace arrays `/api/v2/traces` returns) and
 * OTLP/JSON (`{"resourceSpans": ...}`, one object or one per line as the Collector's file
 * exporter writes).
 */
import { readFile } from 'node:fs/promises';
import { DecodeContext } from '../ingest/index.js';
import { Interner } from '../model/index.js';
import type { DecodedBatch } from '../model/index.js';
import { decodeOtlpJson } from '../otlp-ingest/index.js';
import { PropagationAuditor, analyze } from '../propagation-audit/index.js';
import type { Analysis, AuditOptions } from '../propagation-audit/index.js';
import { MemoryTraceStore, TraceAssembler } from '../traces/index.js';
import { decodeZipkinJson } from '../zipkin-ingest/index.js';

export interface FileAuditResult {
  readonly analysis: Analysis;
  readonly spans: number;
  readonly rejected: number;
  readonly traces: number;
  readonly problems: string[];
}

type Documents = { kind: 'zipkin'; body: unknown } | { kind: 'otlp'; body: unknown };

function documentsOf(file: string, text: string): Documents[] {
  const trimmed = text.trim();
  const parse = (t: string): unknown => JSON.parse(t);
  let parsed: unknown;
  try {
    parsed = parse(trimmed);
  } catch {
    // JSON lines: one OTLP export request per line.
    return trimmed.split('\n').filter((l) => l.trim() !== '').map((line, i) => {
      try {
        return { kind: 'otlp' as const, body: parse(line) };
      } catch (err) {
        throw new Error(`${file}: line ${i + 1} is not JSON (${(err as Error).message})`);
      }
    });
  }
  if (Array.isArray(parsed)) {
    // `/api/v2/traces` returns an array of traces, each an array of spans.
    return parsed.every(Array.isArray) ? parsed.map((t) => ({ kind: 'zipkin' as const, body: t })) : [{ kind: 'zipkin', body: parsed }];
  }
  if (parsed !== null && typeof parsed === 'object' && 'resourceSpans' in parsed) return [{ kind: 'otlp', body: parsed }];
  throw new Error(`${file}: neither Zipkin v2 JSON (an array of spans) nor OTLP/JSON (an object with resourceSpans)`);
}

export async function auditFiles(files: readonly string[], options: Partial<AuditOptions> = {}): Promise<FileAuditResult> {
  const ctx = new DecodeContext({ maxTagsPerSpan: 1024, maxTagValueLength: 65_536, maxEventsPerSpan: 1024 }, new Interner());
  const auditor = new PropagationAuditor(options);
  let now = 0;
  const store = new MemoryTraceStore({ retentionMs: Number.MAX_SAFE_INTEGER, maxSpans: Number.MAX_SAFE_INTEGER });
  const assembler = new TraceAssembler({
    settleMs: 1, maxBufferedSpans: Number.MAX_SAFE_INTEGER, maxTraceAgeMs: Number.MAX_SAFE_INTEGER, store, now: () => now,
    onSettled: (t) => auditor.observe(t.spans),
  });
  let spans = 0;
  let rejected = 0;
  const problems: string[] = [];
  for (const file of files) {
    for (const doc of documentsOf(file, await readFile(file, 'utf8'))) {
      let batch: DecodedBatch;
      try {
        batch = doc.kind === 'zipkin' ? decodeZipkinJson(doc.body, ctx) : decodeOtlpJson(doc.body, ctx);
      } catch (err) {
        problems.push(`${file}: ${(err as Error).message}`);
        continue;
      }
      spans += batch.spans.length;
      rejected += batch.rejected.length;
      for (const r of batch.rejected.slice(0, 3)) problems.push(`${file}: span rejected: ${r.message}`);
      assembler.accept(batch.spans);
    }
  }
  now = 1;
  assembler.settleAll();
  return { analysis: analyze(auditor, { fromUs: 0, toUs: Number.MAX_SAFE_INTEGER }), spans, rejected, traces: store.stats().traces, problems };
}
