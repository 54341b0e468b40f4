import {
  hashPassword,
  needsRehash,
  PUBLIC_PASSWORD_SCRYPT_PARAMS,
  randomPassword,
  verifyPassword,
} from '../../../server/auth/password';

describe('password hashing', () => {
  it('hashes with scrypt, a per-hash salt and the parameters in the string', async () => {
    // when the same password is hashed twice
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');

    // then the salts differ, both verify, a wrong password does not
    expect(a).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
  });

  it('verifies cheaper hashes by their own parameters and asks for a rehash', async () => {
    const cheap = await hashPassword('onematter-demo', PUBLIC_PASSWORD_SCRYPT_PARAMS);
    expect(cheap).toMatch(/^scrypt\$N=4096,/);
    expect(await verifyPassword('onematter-demo', cheap)).toBe(true);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(await hashPassword('x'))).toBe(false);
  });

  it('treats malformed or hostile stored hashes as non-matching, never throwing', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$N=3,r=8,p=1$c2FsdA$aGFzaA',
      'scrypt$N=1073741824,r=8,p=1$c2FsdA$aGFzaA',
      'scrypt$N=16384,r=8,p=1$$',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });

  it('generates random passwords from an unambiguous alphabet', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => randomPassword()));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
  });
});
