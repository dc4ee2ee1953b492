/**
 * The built CLI (`node dist/cmd/meshtrace.js`): serve on free ports, ingest, shut down on
 * SIGTERM after settling buffered traces (exit 0); `serve --help` lists every flag; bad flags
 * exit 2 with a message that names the problem.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_OPTIONS, envName } from '../../src/config/index.js';
import { ensureBuilt, exitOf, runCli } from '../helpers/cli.js';
import type { CliRun } from '../helpers/cli.js';
import { otlpJsonBody, otlpSpan, zipkinSpans } from '../helpers/payloads.js';
import { eventually, get, getJson, post } from '../helpers/server.js';
import type { ZipkinSpanOut } from '../helpers/server.js';

const SERVE = [
  'serve', '--host', '127.0.0.1', '--zipkin-port', '0', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--http-port', '0',
  '--log-level', 'info',
];

interface Ports { zipkin: number; otlpGrpc: number; otlpHttp: number; http: number }

describe('meshtrace CLI', () => {
  const started: CliRun[] = [];
  beforeAll(async () => { await ensureBuilt(); }, 120_000);
  afterEach(() => {
    for (const run of started.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });

  function start(args: readonly string[]): CliRun {
    const run = runCli(args);
    started.push(run);
    return run;
  }

  it('serves, ingests, and on SIGTERM settles buffered traces and exits 0', async () => {
    // A long settle period keeps the posted traces buffered until shutdown settles them.
    const run = start([...SERVE, '--settle-period', '5m']);
    const listening = await run.waitForLog((l) => l.msg === 'meshtrace is listening');
    const ports = listening['ports'] as Ports;
    for (const p of Object.values(ports)) expect(p).toBeGreaterThan(0);
    const api = `http://127.0.0.1:${ports.http}`;
    await eventually(async () => expect((await get(`${api}/readyz`)).status).toBe(200));
    expect(await getJson(`${api}/healthz`)).toEqual({ status: 'ok' });

    const a = zipkinSpans(2);
    const b = zipkinSpans(1);
    expect((await post(`http://127.0.0.1:${ports.zipkin}/api/v2/spans`, JSON.stringify([...a, ...b]))).status).toBe(202);
    const otlp = otlpSpan();
    expect((await post(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, otlpJsonBody([otlp]))).status).toBe(200);
    const back = await getJson<ZipkinSpanOut[]>(`http://127.0.0.1:${ports.zipkin}/api/v2/trace/${a[0]!.traceId}`);
    expect(back.map((s) => s.id).sort()).toEqual(a.map((s) => s.id).sort());
    const status = await getJson<{ buffer: { bufferedTraces: number; settledTraces: number } }>(`${api}/api/status`);
    expect(status.buffer).toMatchObject({ bufferedTraces: 3, settledTraces: 0 });

    run.child.kill('SIGTERM');
    const exit = await exitOf(run);
    expect(exit, run.stderr).toEqual({ code: 0, signal: null });
    // After the shutdown notice: the line reporting how many buffered traces were settled.
    const msgs = run.logs.map((l) => l.msg);
    const shutdownAt = msgs.findIndex((m) => m.startsWith('shutting down'));
    expect(shutdownAt, run.stdout).toBeGreaterThan(0);
    const settled = run.logs.slice(shutdownAt).find((l) => l.msg.includes('settled') && typeof l['settled'] === 'number');
    expect(settled, run.stdout).toMatchObject({ msg: 'buffered traces settled', settled: 3 });
    expect(msgs.lastIndexOf('stopped')).toBeGreaterThan(run.logs.indexOf(settled!));
    expect(run.stderr).toBe('');
  });

  it('shuts down the same way on SIGINT with nothing buffered', async () => {
    const run = start([...SERVE, '--settle-period', '1s']);
    await run.waitForLog((l) => l.msg === 'meshtrace is listening');
    run.child.kill('SIGINT');
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expect(run.logs.find((l) => l.msg.includes('settled'))).toMatchObject({ settled: 0 });
  });

  it('`serve --help` prints every flag with its environment variable and exits 0', async () => {
    const run = start(['serve', '--help']);
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expect(run.stdout).toMatch(/^Usage: meshtrace serve/);
    for (const spec of Object.values(SERVE_OPTIONS)) {
      expect(run.stdout).toContain(`--${spec.flag} <${spec.type}>`);
      expect(run.stdout).toContain(envName(spec.flag));
    }
    expect(run.stdout).toContain('--help');
  });

  it('`help` prints the command list and exits 0', async () => {
    const run = start(['help']);
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expect(run.stdout).toMatch(/Commands:[\s\S]*serve/);
  });

  it('exits 2 naming the flag, value and expectation for an invalid flag value', async () => {
    const run = start(['serve', '--zipkin-port', '99999', '--settle-period', 'soon']);
    expect(await exitOf(run)).toEqual({ code: 2, signal: null });
    expect(run.stderr).toContain('invalid configuration');
    expect(run.stderr).toMatch(/--zipkin-port: got "99999", expected a port number 0-65535/);
    expect(run.stderr).toMatch(/--settle-period: got "soon", expected a duration/);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for an unknown flag or command', async () => {
    const flag = start(['serve', '--no-such-flag', 'x']);
    expect(await exitOf(flag)).toEqual({ code: 2, signal: null });
    expect(flag.stderr).toMatch(/^meshtrace: .*--no-such-flag/);
    const command = start(['frobnicate']);
    expect(await exitOf(command)).toEqual({ code: 2, signal: null });
    expect(command.stderr).toContain("unknown command 'frobnicate'");
  });
});
