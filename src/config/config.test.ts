import { describe, expect, it } from 'vitest';
import { ConfigError, loadServeConfig, serveHelp } from './config.js';

describe('serve configuration', () => {
  it('has the documented defaults', () => {
    expect(loadServeConfig([], {})).toMatchObject({
      host: '0.0.0.0', zipkinPort: 9411, otlpGrpcPort: 4317, otlpHttpPort: 4318, httpPort: 8080,
      maxBodyBytes: 5 * 1024 * 1024, settleMs: 10_000, retentionMs: 3_600_000,
    });
  });

  it('takes flags over environment over defaults', () => {
    const config = loadServeConfig(['--zipkin-port', '19411'], { MESHTRACE_ZIPKIN_PORT: '29411', MESHTRACE_HTTP_PORT: '18080', MESHTRACE_RETENTION: '2h' });
    expect(config).toMatchObject({ zipkinPort: 19411, httpPort: 18080, retentionMs: 7_200_000 });
  });

  it('reports every invalid value at once', () => {
    expect(() => loadServeConfig(['--http-port', '99999'], { MESHTRACE_MAX_BODY_SIZE: 'huge' })).toThrow(ConfigError);
    try {
      loadServeConfig(['--http-port', '99999'], { MESHTRACE_MAX_BODY_SIZE: 'huge' });
    } catch (err) {
      expect((err as Error).message).toContain('--http-port: got "99999"');
      expect((err as Error).message).toContain('MESHTRACE_MAX_BODY_SIZE: got "huge"');
    }
  });

  it.each([
    [['--auth-basic', 'nocolon'], '--auth-basic: expected user:password'],
    [['--auth-token', 'short'], '--auth-token: use at least 16 characters'],
    [['--auth-token', '0123456789abcdef', '--auth-basic', 'a:b'], '--auth-token and --auth-basic: choose one'],
    [['--xds-istiod-url', 'istiod:15014'], '--xds-istiod-url: expected http(s)://host:port'],
    [['--xds-ads-target', 'istiod:15010'], '--xds-ads-target: also name the proxies'],
    [['--redact-tag-keys', 'token,(unclosed'], '--redact-tag-keys: "(unclosed" is not a regular expression'],
  ])('refuses %j', (args, message) => {
    expect(() => loadServeConfig(args, {})).toThrow(message);
  });

  it('reads auth, redaction and xDS settings', () => {
    const config = loadServeConfig(['--redact-tag-keys', ' ^user\\.email$ , token ', '--xds-config-dump', 'a.json,b.json'], { MESHTRACE_AUTH_BASIC: 'ops:pw' });
    expect(config).toMatchObject({
      authBasic: 'ops:pw', authToken: undefined, redactTagKeys: ['^user\\.email$', 'token'],
      xds: { configDumps: ['a.json', 'b.json'], istiodUrl: undefined, adsTarget: undefined, refreshMs: 30_000 },
    });
  });

  it('runs the audit unless told not to, and takes only true or false', () => {
    expect(loadServeConfig([], {}).auditEnabled).toBe(true);
    expect(loadServeConfig(['--audit', 'false'], {}).auditEnabled).toBe(false);
    expect(loadServeConfig([], { MESHTRACE_AUDIT: 'false' }).auditEnabled).toBe(false);
    expect(() => loadServeConfig(['--audit', 'no'], {})).toThrow('--audit: got "no", expected true or false');
  });

  it('rejects unknown flags', () => {
    expect(() => loadServeConfig(['--zipkin-prot', '1'], {})).toThrow(/Unknown option/);
  });

  it('documents every flag with its environment variable', () => {
    expect(serveHelp()).toContain('--otlp-grpc-port');
    expect(serveHelp()).toContain('MESHTRACE_OTLP_GRPC_PORT');
  });

  it('keeps every flag apart from its help text, and the help texts in one column', () => {
    const lines = serveHelp().split('\n').filter((l) => l.startsWith('  --'));
    expect(lines.length).toBeGreaterThan(10);
    // `--audit-max-observations <count>` is the longest flag: its text once ran straight into it.
    expect(lines.find((l) => l.includes('--audit-max-observations'))).toMatch(/<count>\s{2,}\S/);
    const columns = new Set(lines.map((l) => /^\s+--\S+(?: <\w+>)?\s+/.exec(l)![0].length));
    expect([...columns]).toHaveLength(1);
  });
});
