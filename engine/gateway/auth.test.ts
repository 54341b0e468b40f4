import { authEnabled, checkAuthorization } from './auth';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('checkAuthorization', () => {
  it('accepts the configured token and basic credentials, scheme case-insensitive', () => {
    // given
    const auth = { token: 'tok', username: 'u', password: 'p:w' };

    // when / then
    expect(checkAuthorization('Bearer tok', auth)).toBeUndefined();
    expect(checkAuthorization('bearer tok', auth)).toBeUndefined();
    expect(checkAuthorization(basic('u:p:w'), auth)).toBeUndefined();
  });

  it('refuses a missing header, a wrong secret, a prefix of it and credentials without a colon', () => {
    // given
    const auth = { token: 'tok', username: 'u', password: '' };

    // when / then
    expect(checkAuthorization(undefined, auth)).toContain('but found nothing');
    expect(checkAuthorization('Bearer to', auth)).toContain('not accepted');
    expect(checkAuthorization('Bearer tokk', auth)).toContain('not accepted');
    expect(checkAuthorization(basic('u'), auth)).toContain('not accepted');
    expect(checkAuthorization(basic('u:'), auth)).toBeUndefined();
    expect(checkAuthorization('Digest x', auth)).toContain("found the scheme 'digest'");
  });

  it('counts no credentials and a user name without a password as disabled', () => {
    expect(authEnabled(undefined)).toBe(false);
    expect(authEnabled({})).toBe(false);
    expect(authEnabled({ username: 'u' })).toBe(false);
    expect(authEnabled({ token: 't' })).toBe(true);
  });
});
