'use client';
/** A person's row actions (consortium administrators): change the role, sign out everywhere, disable the account. */
import { useState } from 'react';
import { PERSON_ROLES, type PersonRoleId } from '../../lib/people.ts';
import { changeRoleAction, disablePersonAction, signOutPersonAction } from '../../server/people-actions.ts';
import { ConfirmAction } from '../ui/confirm-action.tsx';
import { SelectInput } from '../ui/fields.tsx';

export interface PersonActionsProps {
  userId: string;
  displayName: string;
  role: PersonRoleId;
  siteId: string | null;
  liveSessions: number;
  /** Enrolled sites, for a site administrator's site. */
  sites: Array<{ id: string; name: string }>;
}

export function PersonActions({ userId, displayName, role, siteId, liveSessions, sites }: PersonActionsProps) {
  return (
    <div className="row-actions" role="group" aria-label={`Actions for ${displayName}`}>
      <ChangeRole userId={userId} displayName={displayName} role={role} siteId={siteId} sites={sites} />
      {liveSessions > 0 ? (
        <ConfirmAction
          trigger={{ label: 'Sign out', className: 'button button--quiet button--small', ariaLabel: `Sign ${displayName} out everywhere` }}
          title={`Sign ${displayName} out everywhere?`}
          confirm={{ label: 'Sign out everywhere', pendingLabel: 'Signing out…', className: 'button' }}
          run={() => signOutPersonAction({ userId })}
        >
          <p>Every session of {displayName} ends at once, on every device (for example a lost laptop). They can sign in again with their password.</p>
        </ConfirmAction>
      ) : null}
      <ConfirmAction
        trigger={{ label: 'Disable', className: 'button button--danger-quiet button--small', ariaLabel: `Disable ${displayName}` }}
        title={`Disable ${displayName}?`}
        confirm={{ label: 'Disable the account', pendingLabel: 'Disabling…', className: 'button button--danger' }}
        run={() => disablePersonAction({ userId })}
      >
        <div className="notice notice--warning">
          <p>
            <strong>{displayName} can no longer sign in</strong>, and their sessions end at once. Their past actions stay in the audit log under their name.
          </p>
        </div>
      </ConfirmAction>
    </div>
  );
}

function ChangeRole({ userId, displayName, role, siteId, sites }: Omit<PersonActionsProps, 'liveSessions'>) {
  const [nextRole, setNextRole] = useState<PersonRoleId>(role);
  const [nextSite, setNextSite] = useState<string | null>(siteId);
  return (
    <ConfirmAction
      trigger={{ label: 'Change role', className: 'button button--quiet button--small', ariaLabel: `Change the role of ${displayName}` }}
      title={`Change the role of ${displayName}?`}
      confirm={{ label: 'Change the role', pendingLabel: 'Changing…', className: 'button' }}
      run={() => changeRoleAction({ userId, role: nextRole, siteId: nextRole === 'site_admin' ? nextSite : null })}
    >
      <p>The new role applies from {displayName}&apos;s next page; what they can see and do changes with it. The change is recorded in the audit log.</p>
      <SelectInput
        label="New role"
        value={nextRole}
        onChange={setNextRole}
        options={PERSON_ROLES.map((r) => ({ id: r.id, label: r.label }))}
        description={PERSON_ROLES.find((r) => r.id === nextRole)?.description}
      />
      {nextRole === 'site_admin' ? <SelectInput label="Site" value={nextSite} onChange={setNextSite} options={sites.map((s) => ({ id: s.id, label: s.name }))} isRequired /> : null}
    </ConfirmAction>
  );
}
