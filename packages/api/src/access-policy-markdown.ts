import type { UserRole } from '@consilium/domain';
import { accessPolicy, Resource, type ProcedurePolicy } from './access-policy.ts';

const ROLES: readonly UserRole[] = ['consortium_admin', 'study_lead', 'site_admin', 'compliance_officer'];

const RESOURCE_LABELS: Record<Resource, string> = {
  [Resource.STUDY]: 'the study (`studyId`)',
  [Resource.ENROLLMENT_TOKEN]: 'the token\'s study (`tokenId`)',
  [Resource.SITE]: 'the site (`siteName`)',
};

/**
 * The access policy as Markdown, for docs/access-control.md (a test checks the document holds
 * exactly this, so the documentation cannot drift from the table the hub enforces).
 */
export function accessPolicyMarkdown(): string {
  const entries = Object.entries(accessPolicy).sort(([a], [b]) => a.localeCompare(b));
  const people = entries.filter((e): e is [string, Extract<ProcedurePolicy, { kind: 'user' }>] => e[1].kind === 'user');
  const lines = [
    `| Procedure | ${ROLES.join(' | ')} | Scope checked against |`,
    `|---|${ROLES.map(() => '---').join('|')}|---|`,
    ...people.map(([path, policy]) => {
      const cells = ROLES.map((role) => policy.roles[role] ?? '—');
      const resource = policy.resource ? RESOURCE_LABELS[policy.resource] : '—';
      const note = policy.beforePasswordChange ? ' ¹' : '';
      return `| \`${path}\`${note} | ${cells.join(' | ')} | ${resource} |`;
    }),
    '',
    '¹ Also callable while a one-time password is still to be changed.',
    '',
    'Public (no credentials):',
    '',
    ...entries.flatMap(([path, policy]) => (policy.kind === 'public' ? [`- \`${path}\` — ${policy.why}`] : [])),
    '',
    'Site agents only (Ed25519-signed requests; a person\'s credentials are refused):',
    '',
    entries.flatMap(([path, policy]) => (policy.kind === 'site' ? [`\`${path}\``] : [])).join(', '),
  ];
  return lines.join('\n');
}
