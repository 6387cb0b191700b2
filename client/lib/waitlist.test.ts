import { activeEntryFor, ordinal } from './waitlist';

describe('waitlist helpers', () => {
  it('spells places in line', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
  });

  it('finds the entry still in line for a ticket', () => {
    const entries = [
      { ticketId: 't', position: 1, status: 'expired' as const },
      { ticketId: 't', position: 2, status: 'waiting' as const },
    ];
    expect(activeEntryFor(entries, 't')).toEqual(entries[1]);
    expect(activeEntryFor(entries, 'u')).toBeUndefined();
  });
});
