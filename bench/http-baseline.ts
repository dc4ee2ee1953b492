/**
 * A reference point for Zipkin JSON: a bare Node `http` server whose handler only collects the
 * body, `JSON.parse`s it and answers 202. It shows how much of the JSON.parse baseline HTTP alone
 * leaves on this machine. Run as a child process; prints its port on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(202, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
