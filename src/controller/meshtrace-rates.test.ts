import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RatesSource } from './meshtrace-rates.js';

const report = {
  window: { from: '2026-01-01T12:00:00Z', to: '2026-01-01T12:05:00Z' },
  workloads: [{ namespace: 'shop', workload: 'gateway', role: 'gateway', requests: 600, calls: 0, gaps: { confirmed: 0, inferred: 0, unattributed: 0 } }],
};
let requests = 0;
let answer = 200;
const server = createServer((req, res) => {
  requests++;
  expect(req.url).toBe('/api/propagation/report?window=300s');
  expect(req.headers.authorization).toBe('Bearer tok');
  setTimeout(() => { res.writeHead(answer); res.end(JSON.stringify(report)); }, 20);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise((resolve) => server.close(resolve)));

const source = (ttlMs: number) => new RatesSource({
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'tok', windowMs: 300_000, ttlMs, log: pino({ level: 'silent' }),
});

describe('RatesSource', () => {
  it('asks meshtrace once for all the reconciles that want rates meanwhile, and reads trace starts per second', async () => {
    requests = 0;
    const rates = source(60_000);
    const answers = await Promise.all([rates.get(), rates.get(), rates.get()]);
    expect(requests).toBe(1);
    expect(answers[0]?.get('shop')?.get('gateway')).toEqual({ role: 'gateway', tracesPerSecond: 2, rootCalls: 0 });
    await rates.get();
    expect(requests).toBe(1);
  });

  it('asks again once its answer is older than the TTL; an error answers undefined', async () => {
    requests = 0;
    const rates = source(0);
    await rates.get();
    answer = 503;
    expect(await rates.get()).toBeUndefined();
    answer = 200;
    expect(requests).toBe(2);
  });
});
