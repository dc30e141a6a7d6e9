import { describe, expect, it } from 'vitest';
import { agentOnline, canCreateStudies, canDecideForSite, canManageStudy, siteHref } from './roles.ts';

describe('roles', () => {
  it('offers study creation and management to leads and administrators only', () => {
    expect(canCreateStudies({ role: 'study_lead', siteId: null })).toBe(true);
    expect(canCreateStudies({ role: 'consortium_admin', siteId: null })).toBe(true);
    expect(canCreateStudies({ role: 'compliance_officer', siteId: null })).toBe(false);
    expect(canManageStudy({ role: 'site_admin', siteId: 's' })).toBe(false);
    expect(canManageStudy(null)).toBe(false);
  });

  it('offers consent decisions to the site\'s own administrators only', () => {
    expect(canDecideForSite({ role: 'site_admin', siteId: 'a' }, 'a')).toBe(true);
    expect(canDecideForSite({ role: 'site_admin', siteId: 'b' }, 'a')).toBe(false);
    expect(canDecideForSite({ role: 'consortium_admin', siteId: null }, 'a')).toBe(false);
  });
});

describe('agentOnline', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('is online up to two minutes after a heartbeat', () => {
    expect(agentOnline('2026-01-01T11:58:30Z', now)).toBe(true);
    expect(agentOnline('2026-01-01T11:57:59Z', now)).toBe(false);
    expect(agentOnline(null, now)).toBe(false);
    expect(agentOnline('garbage', now)).toBe(false);
  });
  it('links a site by its encoded name', () => {
    expect(siteHref("St Mary's / North")).toBe('/sites/St%20Mary\'s%20%2F%20North');
  });
});
