import type { Interner } from './intern.js';
import type { Endpoint } from './span.js';

/** The interned endpoint for these values; undefined when all are empty. */
export function internEndpoint(
  interner: Interner,
  serviceName: string | undefined,
  ipv4: string | undefined,
  ipv6: string | undefined,
  port: number | undefined,
): Endpoint | undefined {
  if (!serviceName && !ipv4 && !ipv6 && !port) return undefined;
  // A batch comes from one sidecar: the endpoint is nearly always the one just seen.
  const last = interner.recent(LAST_ENDPOINT) as Endpoint | undefined;
  if (last !== undefined && last.serviceName === serviceName && last.ipv4 === (ipv4 || undefined)
    && last.ipv6 === (ipv6 || undefined) && last.port === (port || undefined)) return last;
  const key = `ep\u0001${serviceName ?? ''}\u0001${ipv4 ?? ''}\u0001${ipv6 ?? ''}\u0001${port ?? ''}`;
  const endpoint = interner.object(key, () => ({
    serviceName: serviceName ? interner.string(serviceName) : undefined,
    ipv4: ipv4 || undefined,
    ipv6: ipv6 || undefined,
    port: port || undefined,
  }));
  interner.remember(LAST_ENDPOINT, endpoint);
  return endpoint;
}

/** Fingerprint under which the interner remembers the endpoint interned last. */
const LAST_ENDPOINT = '\u0000last-endpoint';
