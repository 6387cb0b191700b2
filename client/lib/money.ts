/**
 * Money formatting. The locale is fixed so that the server's and the browser's render agree
 * (a locale taken from the environment would cause hydration mismatches).
 */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number, currency = 'USD', locale = 'en-US'): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter.format(amount);
}

/**
 * Turns what a person typed into the price field into the value sent to the API.
 * A clean decimal becomes a number ("19.9" → 19.9, "$1,250.50" → 1250.5); anything else is
 * sent as typed so that the API's validation message (SPEC §3) is the one shown.
 */
export function parsePriceInput(raw: string): number | string {
  const cleaned = raw.trim().replace(/^\$/, '').replace(/,/g, '').trim();
  if (/^\d+(\.\d*)?$|^\.\d+$/.test(cleaned)) return Number(cleaned);
  return raw.trim();
}

/** The value to pre-fill a price input with: 20 → "20.00", 19.9 → "19.90". */
export function priceInputValue(amount: number): string {
  return amount.toFixed(2);
}
