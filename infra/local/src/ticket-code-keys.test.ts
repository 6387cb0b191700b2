import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEd25519Key, signTicketCode, verifyTicketCode } from '@microtick/common';
import { installationTicketCodeKeys } from './ticket-code-keys';

describe("an installation's ticket-code keys", () => {
  const file = () => path.join(mkdtempSync(path.join(tmpdir(), 'ticket-code-keys-')), 'nested/ticket-code-keys.json');

  it('are made once, kept readable by the owner only, and the same on every later start', () => {
    const where = file();
    const first = installationTicketCodeKeys(where);
    expect(statSync(where).mode & 0o777).toBe(0o600);
    expect(installationTicketCodeKeys(where)).toEqual(first);
    const claim = { orderId: '00000000-0000-4000-8000-000000000001', ticketId: '00000000-0000-4000-8000-000000000002' };
    const code = signTicketCode(parseEd25519Key(first.privateKey, 'private'), claim);
    expect(verifyTicketCode(parseEd25519Key(first.publicKey, 'public'), code)).toEqual(claim);
  });

  it('refuses to replace a file it cannot read as keys (codes already issued would stop working)', () => {
    const where = file();
    installationTicketCodeKeys(where);
    for (const broken of ['{oops', '{}', '{"privateKey":"x","publicKey":"y"}']) {
      writeFileSync(where, broken);
      expect(() => installationTicketCodeKeys(where)).toThrow(/does not hold a ticket-code key pair/);
      expect(readFileSync(where, 'utf8')).toBe(broken);
    }
  });
});
