import { describe, expect, it } from 'vitest';
import { StartOrderedColumns } from './columns.js';
import { IdColumn, SPAN_ID, TRACE_ID, UUID } from './id-column.js';

/** Records with one id column, to exercise growing, sorting and dropping through the base class. */
class Ids extends StartOrderedColumns {
  readonly ids: IdColumn;
  constructor(ids: IdColumn) {
    super([ids]);
    this.ids = ids;
  }
  add(startUs: number, id: string | undefined): void {
    this.ids.set(this.append(startUs), id);
  }
}

describe('IdColumn', () => {
  it.each([
    ['trace id', TRACE_ID, '4d1e00c0db9010db86154a4ba6e91385'],
    ['trace id with the high bit set', TRACE_ID, 'ffffffffffffffff8000000000000001'],
    ['span id', SPAN_ID, '86154a4ba6e91385'],
    ['request id', UUID, '15202968-e96d-9f04-4571-fa5496dca3c0'],
  ])('gives back a canonical %s as it was', (_, format, id) => {
    const c = new Ids(new IdColumn(format));
    c.add(1, id);
    expect(c.ids.get(0)).toBe(id);
  });

  it.each([
    ['uppercase hex', TRACE_ID, '4D1E00C0DB9010DB86154A4BA6E91385'],
    ['the wrong width', SPAN_ID, '6154a4ba6e91385'],
    ['a non-hex character', SPAN_ID, '86154a4ba6e9138g'],
    ['a UUID without dashes', UUID, '15202968e96d9f044571fa5496dca3c0xxxx'],
    ['a dash out of place', UUID, '15202968e-96d-9f04-4571-fa5496dca3c0'],
    ['any other text', UUID, 'req-1'],
    ['nothing at all', UUID, ''],
  ])('keeps %s as the string it is', (_, format, id) => {
    const c = new Ids(new IdColumn(format));
    c.add(1, id);
    expect(c.ids.get(0)).toBe(id);
  });

  it('keeps an absent id absent', () => {
    const c = new Ids(new IdColumn(UUID));
    c.add(1, undefined);
    expect(c.ids.get(0)).toBeUndefined();
  });

  it('moves ids with their records through growth, sorting and dropping', () => {
    const c = new Ids(new IdColumn(SPAN_ID));
    const idOf = (n: number): string => (n % 3 === 0 ? `other-${n}` : n.toString(16).padStart(16, '0'));
    const starts = Array.from({ length: 100 }, (_, n) => (n * 37) % 100);
    for (const s of starts) c.add(s, idOf(s));
    c.sortFrom(0);
    for (let i = 0; i < c.length; i++) expect(c.ids.get(i)).toBe(idOf(c.startUs(i)));
    c.dropFront(90);
    expect(Array.from({ length: c.length }, (_, i) => c.ids.get(i))).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99].map(idOf));
  });
});
