import { formatMoney, parsePriceInput, priceInputValue } from './money';

describe('formatMoney', () => {
  it('formats US dollars with two decimals and grouping', () => {
    expect(formatMoney(19.99)).toBe('$19.99');
    expect(formatMoney(20)).toBe('$20.00');
    expect(formatMoney(1250.5)).toBe('$1,250.50');
    expect(formatMoney(0.1 + 0.2)).toBe('$0.30');
  });

  it('supports another currency and locale', () => {
    expect(formatMoney(5, 'EUR', 'en-US')).toBe('€5.00');
  });
});

describe('parsePriceInput', () => {
  it('turns clean decimals into numbers', () => {
    expect(parsePriceInput('19.99')).toBe(19.99);
    expect(parsePriceInput(' 20 ')).toBe(20);
    expect(parsePriceInput('$1,250.50')).toBe(1250.5);
    expect(parsePriceInput('.5')).toBe(0.5);
    expect(parsePriceInput('7.')).toBe(7);
  });

  it('passes anything else through for the API to judge', () => {
    expect(parsePriceInput('')).toBe('');
    expect(parsePriceInput('abc')).toBe('abc');
    expect(parsePriceInput('-5')).toBe('-5');
    expect(parsePriceInput('1e3')).toBe('1e3');
  });
});

describe('priceInputValue', () => {
  it('always shows two decimals', () => {
    expect(priceInputValue(20)).toBe('20.00');
    expect(priceInputValue(19.9)).toBe('19.90');
  });
});
