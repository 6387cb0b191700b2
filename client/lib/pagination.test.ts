import { PAGE_SIZE, pageHref, pageQuery, parsePage, splitPage } from './pagination';

describe('parsePage', () => {
  it('accepts positive integers', () => {
    expect(parsePage('3')).toBe(3);
    expect(parsePage(['2', '5'])).toBe(2);
  });
  it('falls back to 1 for anything else', () => {
    for (const raw of [undefined, '', '0', '-1', '1.5', 'abc', '99999999999999999999']) {
      expect(parsePage(raw)).toBe(1);
    }
  });
});

describe('pageQuery', () => {
  it('maps pages to offsets and asks for one extra item', () => {
    expect(PAGE_SIZE).toBe(20);
    expect(pageQuery(1)).toEqual({ limit: 21, offset: 0 });
    expect(pageQuery(3)).toEqual({ limit: 21, offset: 40 });
    expect(pageQuery(2, 10)).toEqual({ limit: 11, offset: 10 });
  });
});

describe('splitPage', () => {
  it('knows whether a next page exists', () => {
    const items = Array.from({ length: 21 }, (_, i) => i);
    expect(splitPage(items)).toEqual({ items: items.slice(0, 20), hasNext: true });
    expect(splitPage(items.slice(0, 20))).toEqual({ items: items.slice(0, 20), hasNext: false });
    expect(splitPage([])).toEqual({ items: [], hasNext: false });
  });
});

describe('pageHref', () => {
  it('omits page 1', () => {
    expect(pageHref('/', 1)).toBe('/');
    expect(pageHref('/', 2)).toBe('/?page=2');
  });
});
