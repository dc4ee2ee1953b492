/** Starting a real `meshtrace serve` child process on free loopback ports for the bench. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never became ready`);
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly ports: { zipkin: number; grpc: number; otlpHttp: number; http: number };
  stop(): Promise<void>;
}

/** Starts meshtrace with bench-friendly logging and the extra flags; resolves once it is ready. */
export async function startMeshtrace(extraArgs: readonly string[]): Promise<BenchServer> {
  const ports = { zipkin: await freePort(), grpc: await freePort(), otlpHttp: await freePort(), http: await freePort() };
  // MESHTRACE_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (or --trace-gc, …) goes to each
  // server the bench starts: NODE_OPTIONS refuses most of these flags.
  const nodeArgs = (process.env['MESHTRACE_BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, join(here, '..', 'cmd', 'meshtrace.js'), 'serve', '--host', '127.0.0.1',
    '--zipkin-port', String(ports.zipkin), '--otlp-grpc-port', String(ports.grpc), '--otlp-http-port', String(ports.otlpHttp),
    '--http-port', String(ports.http), '--log-level', 'error', ...extraArgs], { stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    await waitReady(`http://127.0.0.1:${ports.http}/readyz`, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, ports, stop };
}
