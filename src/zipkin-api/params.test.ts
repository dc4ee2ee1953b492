import { describe, it, expect } from 'vitest';
import { DEFAULT_LOOKBACK_MS, ParamError, parseDependencyQuery, parseTraceIdParam, parseTraceIds, parseTraceQuery, requiredParam } from './params.js';

const NOW = 1_700_000_000_000;

describe('parseTraceQuery', () => {
  it('defaults like Zipkin: endTs now, lookback one day, limit 10, no filters', () => {
    expect(parseTraceQuery({}, NOW)).toEqual({
      serviceName: undefined, remoteServiceName: undefined, spanName: undefined, annotationQuery: undefined,
      minDurationUs: undefined, maxDurationUs: undefined, endTsMs: NOW, lookbackMs: DEFAULT_LOOKBACK_MS, limit: 10,
    });
  });

  it('lowercases names, treats empty values as absent and spanName=all as no filter', () => {
    const q = parseTraceQuery({ serviceName: 'Reviews.Default', remoteServiceName: ' Ratings ', spanName: 'ALL', annotationQuery: '' }, NOW);
    expect(q).toMatchObject({ serviceName: 'reviews.default', remoteServiceName: 'ratings', spanName: undefined, annotationQuery: undefined });
    expect(parseTraceQuery({ spanName: 'GET /Api' }, NOW).spanName).toBe('get /api');
  });

  it('parses numbers', () => {
    const q = parseTraceQuery({ minDuration: '0', maxDuration: '2000', endTs: '1699999999999', lookback: '60000', limit: '3' }, NOW);
    expect(q).toMatchObject({ minDurationUs: 0, maxDurationUs: 2000, endTsMs: 1_699_999_999_999, lookbackMs: 60_000, limit: 3 });
  });

  it.each([
    [{ limit: '0' }, 'limit must be a positive integer, got "0"'],
    [{ limit: 'ten' }, 'limit must be a positive integer, got "ten"'],
    [{ limit: '1e3' }, 'limit must be a positive integer, got "1e3"'],
    [{ limit: ['1', '2'] }, 'limit must be given once'],
    [{ endTs: '-5' }, 'endTs must be a positive integer, got "-5"'],
    [{ lookback: '1.5' }, 'lookback must be a positive integer, got "1.5"'],
    [{ minDuration: '-1' }, 'minDuration must be a non-negative integer, got "-1"'],
    [{ minDuration: '99999999999999999999' }, 'minDuration must be a non-negative integer, got "99999999999999999999"'],
    [{ minDuration: '10', maxDuration: '5' }, 'maxDuration (5) must not be less than minDuration (10)'],
  ])('refuses %j', (query, message) => {
    expect(() => parseTraceQuery(query, NOW)).toThrow(new ParamError(message));
  });
});

describe('parseDependencyQuery', () => {
  it('requires endTs and defaults lookback', () => {
    expect(() => parseDependencyQuery({}, NOW)).toThrow('endTs is required');
    expect(parseDependencyQuery({ endTs: '1000' }, NOW)).toEqual({ endTsMs: 1000, lookbackMs: DEFAULT_LOOKBACK_MS });
  });
});

describe('requiredParam', () => {
  it('refuses a missing or blank parameter', () => {
    expect(() => requiredParam({}, 'serviceName')).toThrow('serviceName is required');
    expect(() => requiredParam({ serviceName: ' ' }, 'serviceName')).toThrow('serviceName is required');
    expect(requiredParam({ key: 'http.method' }, 'key')).toBe('http.method');
  });
});

describe('trace ids', () => {
  it('normalizes 16-hex ids to 32 and remembers the width', () => {
    expect(parseTraceIdParam('463AC35C9F6413AD')).toEqual({ traceId: '0000000000000000463ac35c9f6413ad', bits: 64 });
    expect(parseTraceIdParam('4bf92f3577b34da6a3ce929d0e0e4736').bits).toBe(128);
  });

  it.each(['xyz', '0000000000000000', '4bf92f3577b34da6a3ce929d0e0e47361', ''])('refuses %j', (id) => {
    expect(() => parseTraceIdParam(id)).toThrow(ParamError);
  });

  it('splits traceIds, normalizing and dropping duplicates', () => {
    expect(parseTraceIds({ traceIds: '463ac35c9f6413ad, 0000000000000000463AC35C9F6413AD,4bf92f3577b34da6a3ce929d0e0e4736' }))
      .toEqual(['0000000000000000463ac35c9f6413ad', '4bf92f3577b34da6a3ce929d0e0e4736']);
  });

  it('refuses missing, empty or invalid traceIds', () => {
    expect(() => parseTraceIds({})).toThrow('traceIds is required');
    expect(() => parseTraceIds({ traceIds: ',,' })).toThrow('traceIds is empty');
    expect(() => parseTraceIds({ traceIds: '463ac35c9f6413ad,nothex' })).toThrow('traceIds entry "nothex" is not a trace id');
  });
});
