/**
 * Request-body handling shared by the HTTP ingest endpoints: gzip/deflate inflation bounded by
 * the same limit as the raw body, so a small compressed bomb cannot expand past it.
 */
import { gunzipSync, inflateSync } from 'node:zlib';

/** The body could not be used; `statusCode` is the HTTP answer (400 or 413). */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly statusCode: 400 | 413 | 415;
  constructor(statusCode: 400 | 413 | 415, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** Inflates a body per its Content-Encoding, refusing output beyond `maxBytes`. */
export function decodeContentEncoding(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return body;
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, options);
    if (encoding === 'deflate') return inflateSync(body, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new BodyError(413, `body exceeds ${maxBytes} bytes after ${encoding} decoding`);
    }
    throw new BodyError(400, `body is not valid ${encoding}: ${(err as Error).message}`);
  }
  throw new BodyError(415, `unsupported Content-Encoding ${encoding}; use gzip, deflate or identity`);
}

/** Parses JSON, turning a syntax error into a 400 with the parser's reason. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BodyError(400, `malformed JSON: ${(err as Error).message}`);
  }
}
