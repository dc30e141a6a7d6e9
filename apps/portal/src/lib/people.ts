/** The roles a consortium administrator can give a person, in the order the form offers them. */
export const PERSON_ROLES = [
  { id: 'study_lead', label: 'Study lead', description: 'Creates and runs studies, invites sites.' },
  { id: 'site_admin', label: 'Site administrator', description: 'Runs one hospital\'s agent; approves or declines its studies.' },
  { id: 'compliance_officer', label: 'Compliance officer', description: 'Reads and exports the audit log; changes nothing.' },
  { id: 'consortium_admin', label: 'Consortium administrator', description: 'Manages people and sites, and every study.' },
] as const;

export type PersonRoleId = (typeof PERSON_ROLES)[number]['id'];

/** What a person's account is now, as the people list shows it. */
export function accountState(person: { disabledAt: string | null; passwordChangeRequired: boolean }): { label: string; tone: 'neutral' | 'info' | 'success' } {
  if (person.disabledAt) return { label: 'Disabled', tone: 'neutral' };
  if (person.passwordChangeRequired) return { label: 'Has a one-time password', tone: 'info' };
  return { label: 'Active', tone: 'success' };
}
