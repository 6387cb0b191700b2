import { randomBytes } from 'node:crypto';
import { ticketIdOfCode } from './ticket-code';

describe('ticketIdOfCode', () => {
  const orderId = 'b3f1c1de-5a1e-4f7a-9d2b-0c6e8a4f1234';
  const ticketId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const bytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');
  // The layout orders signs (common/src/ticket-codes): order id, ticket id, then a 64-byte signature.
  const code = `MT1.${Buffer.concat([bytes(orderId), bytes(ticketId), randomBytes(64)]).toString('base64url')}`;

  it('reads the ticket id of a code, ignoring surrounding whitespace', () => {
    expect(ticketIdOfCode(code)).toBe(ticketId);
    expect(ticketIdOfCode(`\n ${code} \n`)).toBe(ticketId);
  });

  it.each(['', 'hello', 'MT1.', `MT1.${'A'.repeat(127)}`, `MT2.${'A'.repeat(128)}`])('is undefined for %j', (raw) => {
    expect(ticketIdOfCode(raw)).toBeUndefined();
  });
});
