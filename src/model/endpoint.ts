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
  const key = `ep\u0001${serviceName ?? ''}\u0001${ipv4 ?? ''}\u0001${ipv6 ?? ''}\u0001${port ?? ''}`;
  return interner.object(key, () => ({
    serviceName: serviceName ? interner.string(serviceName) : undefined,
    ipv4: ipv4 || undefined,
    ipv6: ipv6 || undefined,
    port: port || undefined,
  }));
}
