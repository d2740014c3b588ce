import { describe, expect, it } from 'vitest';
import { ancestorsOf, hasPermission, pathTag } from '../../src/runtime/embedded-layout.ts';

const postgres = { uid: 101, gid: 104 };

describe('hasPermission', () => {
  it('uses the owner bits for the owner, the group bits for the group, the other bits for the rest', () => {
    // drwx------ root:root, the mode of a fresh mktemp -d
    expect(hasPermission({ mode: 0o40700, uid: 0, gid: 0 }, postgres, 0o1)).toBe(false);
    // drwx--x--x root:root
    expect(hasPermission({ mode: 0o40711, uid: 0, gid: 0 }, postgres, 0o1)).toBe(true);
    expect(hasPermission({ mode: 0o40711, uid: 0, gid: 0 }, postgres, 0o5)).toBe(false);
    // drwxr-x--- root:postgres
    expect(hasPermission({ mode: 0o40750, uid: 0, gid: 104 }, postgres, 0o5)).toBe(true);
    // drwx---r-x postgres:postgres: the owner bits apply even though "other" could enter
    expect(hasPermission({ mode: 0o40705, uid: 101, gid: 104 }, postgres, 0o1)).toBe(true);
    expect(hasPermission({ mode: 0o40075, uid: 101, gid: 104 }, postgres, 0o1)).toBe(false);
  });
  it('lets root through everything', () => {
    expect(hasPermission({ mode: 0o40000, uid: 5, gid: 5 }, { uid: 0, gid: 0 }, 0o7)).toBe(true);
  });
});

describe('ancestorsOf', () => {
  it('lists every folder from the root down', () => {
    expect(ancestorsOf('/srv/billing/.claims')).toEqual(['/', '/srv', '/srv/billing', '/srv/billing/.claims']);
    expect(ancestorsOf('/')).toEqual(['/']);
  });
});

describe('pathTag', () => {
  it('is stable per path and differs between paths', () => {
    expect(pathTag('/srv/billing/.claims')).toBe(pathTag('/srv/billing/./.claims'));
    expect(pathTag('/srv/billing/.claims')).not.toBe(pathTag('/srv/other/.claims'));
    expect(pathTag('/srv/billing/.claims')).toMatch(/^[0-9a-f]{12}$/);
  });
});
