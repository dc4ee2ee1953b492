/**
 * Reading config dumps without holding up the event loop: large inputs are parsed (and pruned to
 * their tracing parts) in a worker thread, so a 20 MB dump costs the server a structured clone of
 * a few hundred KB instead of seconds of JSON.parse; inputs over `maxBytes` are refused before
 * they are read or buffered.
 */
import { stat, readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { readConfigDump } from './config-dump.js';
import type { DumpResult } from './config-dump.js';
import { pruneConfigDump } from './prune.js';

export interface DumpLimits {
  /** Largest dump accepted, bytes. Default 32 MiB (Istio dumps of a few thousand services run to ~20 MB). */
  readonly maxBytes?: number;
  /** Below this size the dump is parsed inline (a worker costs ~30 ms to start). Default 1 MiB. */
  readonly inlineBelowBytes?: number;
}

export const DEFAULT_MAX_DUMP_BYTES = 32 * 1024 * 1024;
const DEFAULT_INLINE_BELOW = 1024 * 1024;
/** A worker that runs out of this much heap dies alone instead of taking the server down. */
const WORKER_HEAP_MB = 768;

export function tooLarge(source: string, bytes: number, maxBytes: number): DumpResult {
  return { ok: false, error: `${source}: config dump of ${(bytes / 1048576).toFixed(1)} MiB is over the ${(maxBytes / 1048576).toFixed(1)} MiB limit` };
}

function workerSource(): string {
  return `const { parentPort, workerData } = require('node:worker_threads');
const prune = ${pruneConfigDump.toString()};
let reply;
try {
  const text = new TextDecoder().decode(workerData.bytes);
  reply = { ok: true, json: JSON.stringify(prune(JSON.parse(text))) };
} catch (err) {
  reply = { ok: false, error: String(err && err.message) };
}
parentPort.postMessage(reply);`;
}

type WorkerReply = { ok: true; json: string } | { ok: false; error: string };

/**
 * Parses and prunes JSON bytes in a worker thread. The pruned dump comes back as JSON text, not as
 * a structured clone: objects rebuilt by JSON.parse are fast-mode objects, while cloned ones read
 * several times slower, and re-parsing a few MB costs ~10 ms.
 */
function parseInWorker(bytes: Uint8Array): Promise<WorkerReply> {
  // Hand the worker its own copy only when the bytes share a pooled buffer; otherwise transfer them.
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
  return new Promise((resolve) => {
    const worker = new Worker(workerSource(), {
      eval: true, workerData: { bytes: owned }, transferList: [owned.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.once('message', (m: WorkerReply) => resolve(m));
    worker.once('error', (err) => resolve({ ok: false, error: err.message }));
    worker.once('exit', (code) => resolve({ ok: false, error: `parser exited with code ${code}` }));
  });
}

/** A config dump from bytes (a file's or an HTTP body's). */
export async function parseDumpBytes(bytes: Uint8Array, source: string, limits: DumpLimits = {}): Promise<DumpResult> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_DUMP_BYTES;
  if (bytes.byteLength > maxBytes) return tooLarge(source, bytes.byteLength, maxBytes);
  let parsed: { ok: true; value: unknown } | { ok: false; error: string };
  if (bytes.byteLength < (limits.inlineBelowBytes ?? DEFAULT_INLINE_BELOW)) {
    try {
      parsed = { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
    } catch (err) {
      parsed = { ok: false, error: (err as Error).message };
    }
  } else {
    const reply = await parseInWorker(bytes);
    parsed = reply.ok ? { ok: true, value: JSON.parse(reply.json) } : reply;
  }
  return parsed.ok ? readConfigDump(parsed.value, source) : { ok: false, error: `${source}: not JSON (${parsed.error})` };
}

/** A config dump file, refused by size before it is read. */
export async function readDumpFile(path: string, limits: DumpLimits = {}): Promise<DumpResult> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_DUMP_BYTES;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return { ok: false, error: `${path}: ${(err as Error).message}` };
  }
  if (size > maxBytes) return tooLarge(path, size, maxBytes);
  return parseDumpBytes(await readFile(path), path, limits);
}
