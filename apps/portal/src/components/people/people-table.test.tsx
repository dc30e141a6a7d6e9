import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../test/table-rows.ts';
import type { Person } from '../../server/hub.ts';
import { PeopleTable } from './people-table.tsx';

const SITE = '33333333-3333-4333-8333-333333333333';
let next = 0;
const person = (displayName: string, extra: Partial<Person> = {}): Person => ({
  id: `4444444${next++}-4444-4444-8444-444444444444`,
  email: `${displayName.toLowerCase().replaceAll(' ', '.')}@hospital.example`,
  displayName,
  role: 'study_lead',
  siteId: null,
  passwordChangeRequired: false,
  createdAt: '2026-11-20T09:00:00Z',
  disabledAt: null,
  lastSignInAt: '2026-11-25T09:00:00Z',
  liveSessions: 1,
  ...extra,
});

describe('PeopleTable', () => {
  const self = person('Ada Admin', { role: 'consortium_admin' });
  const people = [
    self,
    person('Sam Site', { role: 'site_admin', siteId: SITE, passwordChangeRequired: true, lastSignInAt: null, liveSessions: 0 }),
    person('Old Officer', { role: 'compliance_officer', disabledAt: '2026-11-24T09:00:00Z', liveSessions: 0 }),
    person('Lee Lead'),
  ];
  const sites = [{ id: SITE, name: 'Hôpital Saint-Louis', active: true }];

  it('shows each role (a site administrator with their site) and account state; actions for others, never on oneself or a disabled account', () => {
    const html = renderToStaticMarkup(<PeopleTable people={people} sites={sites} canManage selfId={self.id} />);
    expect(rowsOf(html)).toEqual([
      ['Ada Admin ada.admin@hospital.example', 'Consortium administrator', 'Active', '25 Nov 2026, 09:00 UTC 1 live session', ''],
      ['Sam Site sam.site@hospital.example', 'Site administrator Hôpital Saint-Louis', 'Has a one-time password', 'Never 0 live sessions', 'Change role Disable'],
      ['Old Officer old.officer@hospital.example', 'Compliance officer', 'Disabled', '25 Nov 2026, 09:00 UTC 0 live sessions', ''],
      ['Lee Lead lee.lead@hospital.example', 'Study lead', 'Active', '25 Nov 2026, 09:00 UTC 1 live session', 'Change role Sign out Disable'],
    ]);
  });

  it('is read-only for those who may only list people, and explains an empty list', () => {
    const html = renderToStaticMarkup(<PeopleTable people={people} sites={sites} canManage={false} selfId={null} />);
    expect(html).not.toContain('<button');
    expect(rowsOf(html)[0]).toHaveLength(4);
    expect(renderToStaticMarkup(<PeopleTable people={[]} sites={sites} canManage selfId={null} />)).toContain('Nobody has an account yet.');
  });
});
