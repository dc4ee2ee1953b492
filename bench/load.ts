/** Load drivers for the benchmark: keep-alive HTTP and grpc-js unary calls, N requests in flight. */
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import { readFileSync } from 'node:fs';

export interface DriveOptions {
  readonly concurrency: number;
  readonly durationMs: number;
}

export interface DriveResult {
  readonly requests: number;
  readonly failures: number;
  readonly statuses: Record<string, number>;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Sends one request for worker `worker`; resolves to its status (HTTP or gRPC code) and whether it failed. */
type SendOne = (body: Buffer, worker: number) => Promise<{ status: string; failed: boolean }>;

/** Keeps `concurrency` requests in flight for the duration and tallies their outcomes. */
async function drive(send: SendOne, nextBody: () => Buffer, opts: DriveOptions): Promise<DriveResult> {
  const end = Date.now() + opts.durationMs;
  let requests = 0;
  let failures = 0;
  const statuses: Record<string, number> = {};
  const worker = async (_: unknown, index: number): Promise<void> => {
    while (Date.now() < end) {
      const { status, failed } = await send(nextBody(), index);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (failed) failures++;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { requests, failures, statuses };
}

/** Posts the bodies for the duration over keep-alive connections. */
export async function driveHttp(url: string, headers: Record<string, string>, nextBody: () => Buffer, opts: DriveOptions): Promise<DriveResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const target = new URL(url);
  const send: SendOne = (body) => new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => resolve({ status: String(code), failed: code >= 300 }));
    });
    req.on('error', () => resolve({ status: 'error', failed: true }));
    req.end(body);
  });
  try {
    return await drive(send, nextBody, opts);
  } finally {
    agent.destroy();
  }
}

const passthrough = (b: Buffer): Buffer => b;
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * Calls TraceService/Export with pre-encoded request bytes, one connection per request in flight,
 * as sidecars each export over their own. Several calls multiplexed on one connection finish
 * together (their frames interleave), so the server would sit idle while the next ones arrive,
 * and an idle-and-busy server pays more CPU per span than a steadily busy one.
 */
export async function driveGrpc(port: number, nextBody: () => Buffer, opts: DriveOptions): Promise<DriveResult> {
  const clients = Array.from({ length: opts.concurrency }, () => new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc-node.flow_control_window': 16 * 1024 * 1024,
    // Without it grpc-js shares one connection among clients of the same target.
    'grpc.use_local_subchannel_pool': 1,
  }));
  // Each worker keeps to its own connection.
  const send: SendOne = (body, worker) => new Promise((resolve) => {
    clients[worker]!.makeUnaryRequest(EXPORT_PATH, passthrough, passthrough, body, (err) => {
      resolve({ status: err ? String(err.code) : '0', failed: err !== null });
    });
  });
  try {
    return await drive(send, nextBody, opts);
  } finally {
    for (const client of clients) client.close();
  }
}
