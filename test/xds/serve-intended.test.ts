/**
 * `meshtrace serve` with config dumps and the intended-sampling files: the drift API shows the
 * intended rate from the files, names the proxy that disagrees, and follows an edit of the files.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { FIXTURES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'meshtrace-intended-'));
const telemetry = join(dir, 'telemetry.yaml');
const DUMPS = ['sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json'].map((f) => join(FIXTURES, f));
let server: TestServer;

interface Drift { workloads: { key: string; intended?: { percentage: number }; findings: { kind: string; proxies: string[] }[] }[] }

async function reviews(): Promise<Drift['workloads'][number] | undefined> {
  const drift = await (await fetch(`${server.api}/api/sampling/drift`)).json() as Drift;
  return drift.workloads.find((w) => w.key === 'default/reviews');
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (ok(v) || i > 100) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  copyFileSync(join(FIXTURES, 'telemetry.yaml'), telemetry);
  server = await startTestServer([
    '--xds-config-dump', DUMPS.join(','), '--xds-telemetry', telemetry, '--xds-mesh-config', join(FIXTURES, 'mesh-config.yaml'), '--xds-refresh', '200ms',
  ]);
});
afterAll(async () => server.close());

describe('serve: intended sampling from files', () => {
  it('resolves the intended rate from the Telemetry files and follows their edits', async () => {
    const before = await until(reviews, (w) => w?.intended !== undefined);
    expect(before?.intended?.percentage).toBe(10);
    const staleBefore = before!.findings.filter((f) => f.kind === 'stale-proxy').flatMap((f) => f.proxies);

    writeFileSync(telemetry, readFileSync(telemetry, 'utf8').replace('randomSamplingPercentage: 10', 'randomSamplingPercentage: 1'));
    const after = await until(reviews, (w) => w?.intended?.percentage === 1);
    expect(after?.intended?.percentage).toBe(1);
    const staleAfter = after!.findings.filter((f) => f.kind === 'stale-proxy').flatMap((f) => f.proxies);
    expect(staleAfter).not.toEqual(staleBefore);
    expect(staleAfter.length).toBeGreaterThan(0);
  });

  it('keeps the last good inputs when a file turns unreadable', async () => {
    writeFileSync(telemetry, 'kind: [unclosed');
    await new Promise((r) => setTimeout(r, 500));
    expect((await reviews())?.intended).toBeDefined();
  });
});
