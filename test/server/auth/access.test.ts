import { hasDepartmentAccess, presentPhone, assertDepartmentAccess } from '../../../server/auth/authorize';
import type { KeyPrincipal, UserPrincipal } from '../../../server/auth/roles';

const user = (roles: UserPrincipal['roles'], departments: string[]): UserPrincipal => ({
  kind: 'user',
  userId: 'u',
  username: 'u',
  displayName: 'U',
  roles,
  departments,
  csrfToken: 't',
  sessionIdHash: 'h',
});
const device: KeyPrincipal = { kind: 'device', keyId: 'k', name: 'cam', deviceId: null };

describe('department access', () => {
  it('lets a clerk at the tasks of their own departments only', () => {
    const clerk = user(['clerk'], ['housing', 'street-baisha']);
    expect(hasDepartmentAccess(clerk, ['housing'])).toBe(true);
    expect(hasDepartmentAccess(clerk, ['market', 'street-baisha'])).toBe(true);
    expect(hasDepartmentAccess(clerk, ['market'])).toBe(false);
    expect(() => assertDepartmentAccess(clerk, ['market'])).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('lets elevated roles pass only when the caller names them', () => {
    const supervisor = user(['supervisor'], []);
    expect(hasDepartmentAccess(supervisor, ['market'])).toBe(false);
    expect(hasDepartmentAccess(supervisor, ['market'], ['supervisor'])).toBe(true);
  });

  it('never lets API keys or anonymous callers in', () => {
    expect(hasDepartmentAccess(device, ['housing'], ['admin'])).toBe(false);
    expect(hasDepartmentAccess(undefined, ['housing'])).toBe(false);
    expect(() => assertDepartmentAccess(undefined, ['housing'])).toThrow(expect.objectContaining({ status: 401 }));
  });
});

describe('reporter phone numbers', () => {
  const phone = '13812345678';

  it('are shown in full to the assigned department only', () => {
    expect(presentPhone(user(['clerk'], ['housing']), phone, ['housing', 'planning'])).toBe(phone);
  });

  it('are masked for everyone else, admins and supervisors included', () => {
    for (const p of [user(['clerk'], ['market']), user(['admin'], []), user(['supervisor'], []), device, undefined]) {
      expect(presentPhone(p, phone, ['housing'])).toBe('138****5678');
    }
  });

  it('stay null when there is none', () => {
    expect(presentPhone(user(['clerk'], ['housing']), null, ['housing'])).toBeNull();
  });
});
