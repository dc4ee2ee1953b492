import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATE_HELP, simulateCommand } from './index.js';
import type { GroundTruth } from './index.js';
import { startCollector } from '../../test/helpers/sim-server.js';
import type { TestCollector } from '../../test/helpers/sim-server.js';

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  let output = '';
  out.on('data', (c: Buffer) => (output += c.toString()));
  const code = await simulateCommand(args, out);
  return { code, output };
}

let collector: TestCollector;
let dir: string;
beforeAll(async () => {
  collector = await startCollector();
  dir = await mkdtemp(join(tmpdir(), 'meshtrace-simulate-'));
});
afterAll(async () => {
  await collector.close();
  await rm(dir, { recursive: true, force: true });
});

describe('meshtrace simulate', () => {
  it('prints its help', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toBe(SIMULATE_HELP);
    expect(output).toContain('--behaviour WORKLOAD=B');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--topology', 'nope'], /--topology must be one of bookinfo, online-boutique, social-network/],
    [['--provider', 'jaeger'], /--provider must be zipkin or opentelemetry/],
    [['--sampling', '150'], /--sampling must be a number within 0..100, not '150'/],
    [['--requests', '1.5'], /--requests must be an integer >= 0/],
    [['--concurrency', 'x'], /--concurrency must be an integer >= 1/],
    [['--behaviour', 'reviews'], /expected WORKLOAD=BEHAVIOUR/],
    [['--behaviour', 'reviews=drop-everything'], /expected WORKLOAD=BEHAVIOUR/],
    [['--behaviour', 'frontend=forward-none'], /bookinfo has no workload 'frontend' \(it has productpage, details, reviews, ratings, cache-warmer\)/],
    [['--url', 'not a url'], /--url 'not a url' is not a URL/],
    [['stray'], /positional/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const { code, output } = await run(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).toContain("meshtrace simulate --help");
  });

  it('sends the spans, writes the ground truth and summarizes', async () => {
    const truthFile = join(dir, 'truth.json');
    const { code, output } = await run([
      '--requests', '200', '--concurrency', '5', '--behaviour', 'reviews=forward-none', '--seed', '4',
      '--zipkin-url', collector.url, '--truth', truthFile,
    ]);
    expect(output).toContain('Set to break: reviews (forward-none');
    expect(code).toBe(0);
    const truth = JSON.parse(await readFile(truthFile, 'utf8')) as GroundTruth;
    expect(truth.options.behaviours).toEqual({ reviews: 'forward-none' });
    expect(truth.orphans.length).toBeGreaterThan(0);
    const posted = collector.received.reduce((n, r) => n + (JSON.parse(r.body.toString()) as unknown[]).length, 0);
    expect(posted).toBe(truth.emittedSpans);
    expect(output).toMatch(/Simulated 200 user requests through bookinfo \(zipkin provider, 100% sampling/);
    expect(output).toContain(`${collector.url}/api/v2/spans`);
  });

  it('adds the default port to --url and exits 1 when nothing could be delivered', async () => {
    const { code, output } = await run(['--requests', '5', '--provider', 'opentelemetry', '--url', 'http://127.0.0.1:1']);
    expect(output).toContain('http://127.0.0.1:1/v1/traces');
    expect(output).toMatch(/failed \(is meshtrace listening there\?\)/);
    expect(code).toBe(1);
  });

  it('sends nothing with --dry-run', async () => {
    const before = collector.received.length;
    const { code, output } = await run(['--requests', '50', '--dry-run', '--zipkin-url', collector.url]);
    expect(code).toBe(0);
    expect(output).toContain('Nothing sent (--dry-run).');
    expect(output).toContain('no trace should split');
    expect(collector.received.length).toBe(before);
  });
});
