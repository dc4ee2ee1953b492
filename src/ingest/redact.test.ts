import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from './redact.js';

describe('Redactor', () => {
  const r = new Redactor();

  it.each([
    ['authorization', 'Bearer abc.def', REDACTED],
    ['Cookie', 'session=1', REDACTED],
    ['set-cookie', 'a=b', REDACTED],
    ['http.request.header.authorization', 'Basic eDp5', REDACTED],
    ['http.request.header.x-api-key', 'k', REDACTED],
    ['guid:x-request-id', 'a5f3c1e0-0000-4000-8000-000000000000', 'a5f3c1e0-0000-4000-8000-000000000000'],
    ['node_id', 'sidecar~10.0.0.1~p.ns~ns.svc.cluster.local', 'sidecar~10.0.0.1~p.ns~ns.svc.cluster.local'],
    ['http.url', 'http://shop/cart?id=7&access_token=s3cr3t&page=2', `http://shop/cart?id=7&access_token=${REDACTED}&page=2`],
    ['http.url', 'http://shop/login?user=a&password=hunter2#top', `http://shop/login?user=a&password=${REDACTED}#top`],
    ['url.full', 'https://x/cb?code=abc&state=1', `https://x/cb?code=${REDACTED}&state=1`],
    ['http.url', 'http://shop/cart?id=7', 'http://shop/cart?id=7'],
    ['http.url', 'http://shop/%E0%A4%A?api%5Fkey=1', `http://shop/%E0%A4%A?api%5Fkey=${REDACTED}`],
  ])('%s=%s → %s', (key, value, expected) => {
    expect(r.value(key, value)).toBe(expected);
  });

  it('takes configured key patterns, case-insensitively', () => {
    const custom = new Redactor(['^user\\.email$']);
    expect(custom.value('User.Email', 'a@b.c')).toBe(REDACTED);
    expect(custom.value('user.name', 'ann')).toBe('ann');
    expect(custom.value('authorization', 'x')).toBe(REDACTED); // always, whatever the configuration
    expect(custom.redacted).toBe(2);
  });
});
