import { describe, expect, it } from 'vitest';
import { authConfig, authorized } from './security.js';

const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;

describe('authorized', () => {
  it.each([
    ['no auth configured', authConfig(undefined, undefined), undefined, true],
    ['bearer ok', authConfig('0123456789abcdef', undefined), 'Bearer 0123456789abcdef', true],
    ['bearer scheme is case-insensitive', authConfig('0123456789abcdef', undefined), 'bearer 0123456789abcdef', true],
    ['bearer wrong', authConfig('0123456789abcdef', undefined), 'Bearer 0123456789abcdeX', false],
    ['bearer missing', authConfig('0123456789abcdef', undefined), undefined, false],
    ['bearer given basic', authConfig('0123456789abcdef', undefined), basic('a:0123456789abcdef'), false],
    ['basic ok', authConfig(undefined, 'ops:pa:ss'), basic('ops:pa:ss'), true],
    ['basic wrong password', authConfig(undefined, 'ops:pass'), basic('ops:pas'), false],
    ['basic wrong user', authConfig(undefined, 'ops:pass'), basic('dev:pass'), false],
    ['basic garbage', authConfig(undefined, 'ops:pass'), 'Basic %%%', false],
    ['no scheme', authConfig(undefined, 'ops:pass'), 'ops:pass', false],
  ])('%s', (_name, auth, header, expected) => {
    expect(authorized(auth, header)).toBe(expected);
  });
});
