/**
 * The ingest endpoints' HTTP handling, on Node's bare `http` server rather than through fastify's
 * routing, body parsing and reply machinery: at Envoy's request rates that layer costs more CPU
 * than decoding the spans. Every other route on the same port still goes to fastify (through
 * fastify's `serverFactory`), so the read APIs keep its validation and logging.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** What an ingest endpoint answers. */
export interface IngestAnswer {
  readonly status: number;
  readonly contentType?: string;
  readonly body?: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Handles one complete request body. Must not throw for bad input (it answers 4xx instead).
 * `body` is valid only during the call: its memory is reused for the next request's body.
 */
export type IngestHandler = (body: Buffer, headers: IncomingHttpHeaders) => IngestAnswer;

export interface RawRoute {
  readonly path: string;
  readonly handle: IngestHandler;
}

function answer(res: ServerResponse, a: IngestAnswer): void {
  const headers: Record<string, string> = { ...a.headers };
  if (a.contentType !== undefined) headers['content-type'] = a.contentType;
  headers['content-length'] = String(a.body === undefined ? 0 : Buffer.byteLength(a.body));
  res.writeHead(a.status, headers);
  res.end(a.body);
}

/** JSON error answer in the same shape fastify uses. */
export function jsonAnswer(status: number, error: string, message: string, headers?: Record<string, string>): IngestAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify({ statusCode: status, error, message }), headers };
}

function tooLarge(maxBodyBytes: number): IngestAnswer {
  return jsonAnswer(413, 'too-large', `request body exceeds ${maxBodyBytes} bytes`);
}

/** Bodies up to this size are assembled in reused memory; larger ones get their own buffer. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

/**
 * Where a body that arrived in several chunks is put together for its (synchronous) handler. A
 * 100-span batch is about 100 KiB in two or three socket reads: a fresh buffer for each cost more
 * than decoding a fifth of its spans.
 */
export class BodyScratch {
  #buf = Buffer.allocUnsafe(256 * 1024);

  assemble(chunks: readonly Buffer[], size: number): Buffer {
    if (chunks.length === 1) return chunks[0]!;
    if (size > MAX_SCRATCH_BYTES) return Buffer.concat(chunks, size);
    if (size > this.#buf.length) this.#buf = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, 2 ** Math.ceil(Math.log2(size))));
    let at = 0;
    for (const c of chunks) at += c.copy(this.#buf, at);
    return this.#buf.subarray(0, size);
  }
}

/** Reads the body under the limit, then hands it to the route. */
function serveIngest(route: RawRoute, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, logger: Logger, scratch: BodyScratch): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) {
    // Answer before reading; close the connection rather than drain a huge body.
    res.setHeader('connection', 'close');
    answer(res, tooLarge(maxBodyBytes));
    req.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      refused = true;
      res.setHeader('connection', 'close');
      answer(res, tooLarge(maxBodyBytes));
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (refused) return;
    const body = scratch.assemble(chunks, size);
    try {
      answer(res, route.handle(body, req.headers));
    } catch (err) {
      logger.error({ err, path: route.path }, 'ingest handler failed');
      answer(res, jsonAnswer(500, 'internal', 'internal error while ingesting; the request was not processed'));
    }
  });
  req.on('error', () => { /* the client went away; nothing to answer */ });
}

/**
 * A fastify `serverFactory`: POSTs to the raw routes' paths are served directly, everything else
 * goes to fastify.
 */
export function rawIngestServerFactory(routes: readonly RawRoute[], maxBodyBytes: number, logger: Logger) {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const scratch = new BodyScratch();
  return (fastifyHandler: http.RequestListener): http.Server => http.createServer((req, res) => {
    if (req.method === 'POST') {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const route = byPath.get(q === -1 ? url : url.slice(0, q));
      if (route !== undefined) {
        serveIngest(route, req, res, maxBodyBytes, logger, scratch);
        return;
      }
    }
    fastifyHandler(req, res);
  });
}
