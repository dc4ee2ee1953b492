/** A tiny collector stand-in for the simulator's send and CLI tests. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export interface TestCollector {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** `respond` picks the status for each request (by its 0-based index); default 202. */
export async function startCollector(respond: (index: number, res: ServerResponse) => number = () => 202): Promise<TestCollector> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = received.length;
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
      res.statusCode = respond(index, res);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}
