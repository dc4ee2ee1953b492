/**
 * `dashboardRoutes`, the static side of the dashboard, without a browser: content types, caching
 * (immutable hashed assets, revalidated index.html), 404s, path traversal, and the page shown
 * when the dashboard was never built.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtDashboardDir, dashboardRoutes } from '../../src/server/dashboard.js';
import { DASHBOARD_DIR } from '../helpers/browser.js';

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

async function appFor(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scope) => dashboardRoutes(scope, { root }));
  return app;
}

describe('dashboard static files', () => {
  let root: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'meshtrace-dash-'));
    root = join(base, 'web');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(root, 'favicon.svg'), '<svg/>');
    await writeFile(join(base, 'secret.txt'), 'outside the root');
    app = await appFor(root);
  });
  afterAll(async () => app.close());

  it('serves index.html at / for revalidation on every load', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>t</title>');
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200);
  });

  it('serves hashed assets as immutable, with their content types', async () => {
    const js = await app.inject('/assets/index-abc123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 404 for unknown files and for anything that could leave the root', async () => {
    // Sent raw over a socket: a URL parser (inject's, fetch's) would resolve the dot segments first.
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const path of [
      '/assets/nope.js', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2fsecret.txt', '/assets/..', '/assets/%2e%2e',
      '/assets/.hidden.js', '/assets/../secret.txt', '/assets/..%5csecret.txt', '/assets/x.exe', '/assets/',
    ]) {
      const res = await rawGet(base, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain('outside the root');
    }
  });

  it('says the dashboard is not built when index.html is missing', async () => {
    const empty = await appFor(await mkdtemp(join(tmpdir(), 'meshtrace-nodash-')));
    const res = await empty.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('npm run build');
    await empty.close();
  });

  it('finds dist/web of this package from source and from the build', () => {
    expect(builtDashboardDir()).toBe(DASHBOARD_DIR);
  });
});
