/**
 * Access control and browser hardening for meshtrace's read surfaces (dashboard, JSON API,
 * metrics, Zipkin read API). Ingest endpoints are not behind it: sidecars cannot authenticate.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type AuthConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string };

export function authConfig(token: string | undefined, basic: string | undefined): AuthConfig {
  if (token !== undefined) return { kind: 'bearer', token };
  if (basic !== undefined) {
    const colon = basic.indexOf(':');
    return { kind: 'basic', user: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  return { kind: 'none' };
}

/** Compares secrets in constant time, whatever their lengths (hashing first equalizes them). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when the Authorization header satisfies the configuration. */
export function authorized(auth: AuthConfig, header: string | undefined): boolean {
  if (auth.kind === 'none') return true;
  if (header === undefined) return false;
  const space = header.indexOf(' ');
  if (space === -1) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (auth.kind === 'bearer') return scheme === 'bearer' && sameSecret(credentials, auth.token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  // Both halves are compared, always, so a wrong user takes as long as a wrong password.
  const userOk = sameSecret(decoded.slice(0, colon), auth.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), auth.password);
  return userOk && passwordOk;
}

/**
 * The page loads only its own bundled files and talks only to its own origin; nothing inline,
 * no framing. Sent on every response, JSON included (harmless there, and one rule is simpler).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export interface ProtectOptions {
  readonly auth: AuthConfig;
  /** Paths served without credentials (probes). */
  readonly openPaths?: readonly string[];
  /**
   * Served without a bearer token: the dashboard's own files, which hold no data. A browser
   * cannot attach a token to a page load, so the page loads and asks for the token, then sends
   * it with every API request. Basic auth needs no such opening: browsers prompt for it.
   */
  readonly openWithBearer?: (path: string) => boolean;
  /** Requests the hook must not touch at all (e.g. ingest POSTs sharing a port). */
  readonly skip?: (request: FastifyRequest) => boolean;
}

/** Adds security headers to every reply and, when configured, requires credentials. */
export function protect(app: FastifyInstance, opts: ProtectOptions): void {
  const open = new Set(opts.openPaths ?? []);
  const challenge = opts.auth.kind === 'basic' ? 'Basic realm="meshtrace", charset="UTF-8"' : 'Bearer realm="meshtrace"';
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (opts.skip?.(request) === true) return;
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    const path = request.url.split('?')[0]!;
    if (opts.auth.kind === 'none' || open.has(path)) return;
    if (opts.auth.kind === 'bearer' && opts.openWithBearer?.(path) === true) return;
    if (authorized(opts.auth, request.headers.authorization)) return;
    await reply.code(401).header('www-authenticate', challenge)
      .send({ statusCode: 401, error: 'Unauthorized', message: 'credentials required: see --auth-token / --auth-basic' });
  });
}
