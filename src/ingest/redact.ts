/**
 * Redaction of sensitive tag values at ingest, before anything is stored or shown: credentials
 * in headers Envoy or an SDK recorded as tags (`authorization`, `cookie`, ...), keys matching
 * configured patterns, and secrets in URL query strings (`?access_token=...`).
 *
 * Hot path: every tag of every span passes here, so each key's verdict is cached; the patterns
 * run once per distinct key.
 */

export const REDACTED = '[REDACTED]';

/** Tag keys whose values are always credentials, whatever the configuration. */
const ALWAYS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token'];
/** Tag keys holding a URL or its query, whose secret-looking parameters are redacted. */
const URL_KEYS = new Set(['http.url', 'url.full', 'url.query', 'http.target', 'http.query', 'upstream_url']);
/** Query parameter names whose values are secrets. */
const SECRET_PARAM = /token|secret|password|passwd|pwd|api[-_]?key|apikey|auth|signature|^sig$|session|credential|^code$/i;

/** What happens to a key's values: kept, replaced, or a URL whose secret parameters are replaced. */
export const Redaction = { KEEP: 0, REDACT: 1, URL: 2 } as const;
export type Redaction = (typeof Redaction)[keyof typeof Redaction];

/** Default extra key patterns: headers recorded as `http.request.header.<name>` etc. */
export const DEFAULT_REDACT_PATTERNS = ['(^|[._-])(authorization|cookie|set-cookie|api[-_]?key|token|secret|password)$'];

const MAX_CACHED_KEYS = 10_000;

export class Redactor {
  readonly #patterns: RegExp[];
  readonly #actions = new Map<string, Redaction>();
  /** Values redacted since start (a counter for metrics). */
  redacted = 0;

  /** @param patterns case-insensitive regular expressions matched against tag keys */
  constructor(patterns: readonly string[] = DEFAULT_REDACT_PATTERNS) {
    this.#patterns = patterns.map((p) => new RegExp(p, 'i'));
    for (const k of ALWAYS) this.#actions.set(k, Redaction.REDACT);
    for (const k of URL_KEYS) this.#actions.set(k, Redaction.URL);
  }

  /** The value to keep for this tag. */
  value(key: string, value: string): string {
    return this.apply(this.actionFor(key), value);
  }

  /** What happens to this key's values (decoders cache it per key and call {@link apply}). */
  actionFor(key: string): Redaction {
    let action = this.#actions.get(key);
    if (action === undefined) {
      action = this.#classify(key);
      if (this.#actions.size < MAX_CACHED_KEYS) this.#actions.set(key, action);
    }
    return action;
  }

  /** The value to keep, given its key's {@link actionFor}. */
  apply(action: Redaction, value: string): string {
    if (action === Redaction.KEEP) return value;
    if (action === Redaction.REDACT) {
      this.redacted++;
      return REDACTED;
    }
    return value.includes('=') ? this.#url(value) : value;
  }

  #classify(key: string): Redaction {
    const lower = key.toLowerCase();
    if (ALWAYS.includes(lower)) return Redaction.REDACT;
    if (URL_KEYS.has(lower)) return Redaction.URL;
    return this.#patterns.some((p) => p.test(key)) ? Redaction.REDACT : Redaction.KEEP;
  }

  /** Redacts the values of secret-looking query parameters; the rest of the URL is kept. */
  #url(value: string): string {
    const q = value.indexOf('?');
    const start = q === -1 ? 0 : q + 1;
    const hash = value.indexOf('#', start);
    const end = hash === -1 ? value.length : hash;
    let changed = false;
    const params = value.slice(start, end).split('&').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch { /* keep it as written */ }
      if (!SECRET_PARAM.test(name)) return pair;
      changed = true;
      return `${pair.slice(0, eq)}=${REDACTED}`;
    });
    if (!changed) return value;
    this.redacted++;
    return value.slice(0, start) + params.join('&') + value.slice(end);
  }
}
