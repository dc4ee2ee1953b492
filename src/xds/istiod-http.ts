/**
 * istiod's HTTP debug endpoints (monitoring port 15014): `/debug/syncz` lists the connected
 * proxies with the nonces istiod sent and they ACKed, `/debug/config_dump?proxyID=<pod>.<ns>` is
 * the config istiod generates for one proxy. Bodies are read with a byte cap (a dump over the
 * limit is refused while streaming, never buffered whole) and parsed off the main thread.
 */
import { arrayField, isObject, stringField } from './json.js';
import type { DumpResult } from './config-dump.js';
import { DEFAULT_MAX_DUMP_BYTES, parseDumpBytes, tooLarge } from './load-dump.js';

export interface IstiodHttpOptions {
  /** e.g. `http://istiod.istio-system:15014`. */
  readonly baseUrl: string;
  /** Largest body read, bytes. Default 32 MiB. */
  readonly maxBytes?: number;
  /** Per request, ms. Default 10000. */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One proxy in `/debug/syncz`: `*_sent` and `*_acked` are nonces; they differ while a push is unacknowledged. */
export interface ProxySyncStatus {
  readonly proxy: string;
  readonly proxyType: string | undefined;
  readonly istioVersion: string | undefined;
  readonly listenerSent: string | undefined;
  readonly listenerAcked: string | undefined;
}

type Body = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

async function readCapped(res: Response, source: string, maxBytes: number): Promise<Body> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    const r = tooLarge(source, declared, maxBytes);
    return { ok: false, error: r.ok ? '' : r.error };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    total += next.value.byteLength;
    if (total > maxBytes) {
      await reader?.cancel();
      return { ok: false, error: `${source}: body is over the ${(maxBytes / 1048576).toFixed(1)} MiB limit` };
    }
    chunks.push(next.value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

async function get(opts: IstiodHttpOptions, path: string): Promise<Body> {
  const url = new URL(path, opts.baseUrl);
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...opts.headers }, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (err) {
    return { ok: false, error: `${url.toString()}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, error: `${url.toString()} answered ${res.status}` };
  }
  return readCapped(res, url.toString(), opts.maxBytes ?? DEFAULT_MAX_DUMP_BYTES);
}

export function parseSyncz(json: unknown): ProxySyncStatus[] {
  const list = Array.isArray(json) ? json : arrayField(json, 'items');
  return list.filter(isObject).map((s) => ({
    proxy: stringField(s, 'proxy') ?? '', proxyType: stringField(s, 'proxy_type'), istioVersion: stringField(s, 'istio_version'),
    listenerSent: stringField(s, 'listener_sent'), listenerAcked: stringField(s, 'listener_acked'),
  })).filter((s) => s.proxy !== '');
}

export async function fetchSyncz(opts: IstiodHttpOptions): Promise<{ ok: true; value: ProxySyncStatus[] } | { ok: false; error: string }> {
  const body = await get(opts, '/debug/syncz');
  if (!body.ok) return body;
  try {
    return { ok: true, value: parseSyncz(JSON.parse(new TextDecoder().decode(body.bytes))) };
  } catch (err) {
    return { ok: false, error: `/debug/syncz: not JSON (${(err as Error).message})` };
  }
}

/**
 * The config istiod generates for one proxy. `proxyId` is `<pod>.<namespace>` (or a full node id,
 * whose pod part is used).
 */
export async function fetchProxyConfigDump(opts: IstiodHttpOptions, proxyId: string): Promise<DumpResult> {
  const podDotNs = proxyId.includes('~') ? proxyId.split('~')[2] ?? proxyId : proxyId;
  const body = await get(opts, `/debug/config_dump?proxyID=${encodeURIComponent(podDotNs)}`);
  if (!body.ok) return { ok: false, error: body.error };
  return parseDumpBytes(body.bytes, `istiod:${podDotNs}`, { maxBytes: opts.maxBytes ?? DEFAULT_MAX_DUMP_BYTES });
}
