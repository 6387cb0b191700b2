import { hashForUnknownUser, hashPassword, needsRehash, verifyPassword } from './password-hash';

describe('password hashing', () => {
  it('stores scrypt parameters, a random salt and the key, never the password', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toContain('correct horse battery');
    expect(second).not.toBe(first);
  });

  it('verifies the right password and rejects others', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies a hash made with other parameters and flags it for an upgrade', async () => {
    const old = await hashPassword('correct horse battery', { ln: 10, r: 8, p: 1 });
    expect(old).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('correct horse battery'))).toBe(false);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('refuses a stored value that is not one of its hashes', async () => {
    await expect(verifyPassword('x', 'plain text password')).rejects.toThrow(/Unrecognised password hash format/);
  });

  it('has a dummy hash for unknown users that no guess matches', async () => {
    const dummy = await hashForUnknownUser();
    expect(await hashForUnknownUser()).toBe(dummy);
    expect(await verifyPassword('', dummy)).toBe(false);
  });
});
