/** Currency units (19.99) → integer cents (1999), exact for amounts with at most two decimals. */
export const toCents = (amount: number): number => Math.round(amount * 100);

/** Integer cents → currency units for JSON. */
export const fromCents = (cents: number): number => cents / 100;
