import { generateKeyPairSync } from 'node:crypto';
import { signTicketCode } from '../../common/src/ticket-codes/ticket-code';
import { ticketIdOfCode } from './ticket-code';

describe('ticketIdOfCode', () => {
  const keys = generateKeyPairSync('ed25519');
  const claim = { orderId: 'b3f1c1de-5a1e-4f7a-9d2b-0c6e8a4f1234', ticketId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };

  it('reads the ticket id of a code orders signed, ignoring surrounding whitespace', () => {
    const code = signTicketCode(keys.privateKey, claim);
    expect(ticketIdOfCode(code)).toBe(claim.ticketId);
    expect(ticketIdOfCode(`\n ${code} \n`)).toBe(claim.ticketId);
  });

  it.each(['', 'hello', 'MT1.', `MT1.${'A'.repeat(127)}`, `MT2.${'A'.repeat(128)}`])('is undefined for %j', (raw) => {
    expect(ticketIdOfCode(raw)).toBeUndefined();
  });
});
