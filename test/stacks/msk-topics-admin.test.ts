import { Admin as PackageAdmin } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { Admin } from '../../node_modules/@platformatic/kafka/dist/clients/admin/index.js';

describe('the msk-topics admin import', () => {
  it('is the same Admin class the package exports (only the module path differs, for the bundle size)', () => {
    expect(Admin).toBe(PackageAdmin);
    expect(typeof Admin.prototype.createTopics).toBe('function');
    expect(typeof Admin.prototype.listTopics).toBe('function');
  });
});
