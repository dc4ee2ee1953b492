/**
 * Serves the built dashboard (web/ → dist/web/, by `npm run build:web`) on the API port:
 * `/` is its index.html, `/assets/*` the hashed bundles, and the few unhashed files at the top.
 * Pages are hash-routed (`/#/traces/…`), so no other path needs index.html. Files are read per
 * request, so a rebuild shows without a restart; they are small and few.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface DashboardOptions {
  /** Directory holding the built dashboard (its index.html and assets/). */
  readonly root: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every file under assets/ by its content hash: a name never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: always revalidate, so a new build is picked up at once. */
const REVALIDATE = 'no-cache';
/** One path segment of plain characters: no separators, no `..`, no hidden files. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;
/** Unhashed files Vite copies from web/public/ to the top of the build. */
const TOP_LEVEL_FILES = ['favicon.svg'];

/** Paths of the dashboard's own files (the page and its bundle: code, no data). */
export function isDashboardFile(path: string): boolean {
  return path === '/' || path === '/index.html' || /^\/assets\/[^/]+$/.test(path) || TOP_LEVEL_FILES.some((f) => path === `/${f}`);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>meshtrace: dashboard not built</title></head>
<body><main><h1>The meshtrace dashboard is not built</h1>
<p>This meshtrace has no dist/web/index.html. Build it with <code>npm run build</code> (or <code>npm run build:web</code>) and reload.</p>
<p>The API works without it: <a href="api/propagation/report">api/propagation/report</a>, <a href="api/status">api/status</a>.</p>
</main></body></html>
`;

/** `dist/web` of the package this module belongs to, from source (src/server) or from dist/src/server. */
export function builtDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, 'dist', 'web');
}

/** The file under `root` for a request name, or undefined for anything that could leave it. */
function fileUnder(root: string, ...names: string[]): string | undefined {
  if (!names.every((n) => SAFE_NAME.test(n))) return undefined;
  const path = resolve(root, ...names);
  return path.startsWith(root + sep) ? path : undefined;
}

async function sendFile(reply: FastifyReply, path: string | undefined, cacheControl: string): Promise<FastifyReply> {
  const type = path === undefined ? undefined : CONTENT_TYPES[extname(path)];
  if (path === undefined || type === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
  let body: Buffer;
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
    body = await readFile(path);
  } catch {
    return reply.code(404).type('text/plain; charset=utf-8').send('Not Found\n');
  }
  return reply.type(type).header('cache-control', cacheControl).send(body);
}

export function dashboardRoutes(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const root = resolve(opts.root);
  const index = join(root, 'index.html');

  const sendIndex = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    if (!existsSync(index)) {
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    }
    return sendFile(reply, index, REVALIDATE);
  };
  app.get('/', sendIndex);
  app.get('/index.html', sendIndex);

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) =>
    sendFile(reply, fileUnder(root, 'assets', request.params.name), IMMUTABLE));

  for (const name of TOP_LEVEL_FILES) {
    app.get(`/${name}`, async (_req, reply) => sendFile(reply, fileUnder(root, name), REVALIDATE));
  }
  return Promise.resolve();
}
