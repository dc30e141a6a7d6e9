'use client';
/**
 * "Add a person" (consortium administrators): creates an account with a role — a site administrator
 * with their site — and shows the one-time password the hub generated, once, in a dialog. The
 * password lives only in this component's state while the dialog is open; its owner must replace it
 * at first sign-in.
 */
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { PERSON_ROLES, type PersonRoleId } from '../../lib/people.ts';
import { roleLabel } from '../../lib/forms.ts';
import { addPersonAction, type PersonField } from '../../server/people-actions.ts';
import type { CreatedPerson } from '../../server/hub.ts';
import { ActionForm, useActionForm } from '../ui/action-form.tsx';
import { CopyButton } from '../ui/copy-button.tsx';
import { SelectInput, TextInput } from '../ui/fields.tsx';
import { ModalFrame } from '../ui/modal.tsx';

export function AddPerson({ sites, portalUrl }: { sites: Array<{ id: string; name: string }>; portalUrl: string }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<PersonRoleId | null>(null);
  const [siteId, setSiteId] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedPerson | null>(null);
  const { fieldErrors, setFieldErrors, formError, pending, submit: run } = useActionForm<CreatedPerson, PersonField>();

  const submit = () =>
    run(
      () => addPersonAction({ email, displayName, role: role ?? '', siteId }),
      (person) => {
        setCreated(person);
        setEmail('');
        setDisplayName('');
        setRole(null);
        setSiteId(null);
      },
    );

  return (
    <>
      <ActionForm className="person-form" label="Add a person" errorClassName="person-form__wide" formError={formError} onSubmit={submit}>
        <TextInput label="Email" value={email} onChange={setEmail} error={fieldErrors.email} isRequired maxLength={254} />
        <TextInput label="Name" description="Shown in the portal and the audit log." value={displayName} onChange={setDisplayName} error={fieldErrors.displayName} isRequired maxLength={100} />
        <SelectInput
          label="Role"
          value={role}
          onChange={(next) => {
            setRole(next);
            setFieldErrors((errors) => ({ ...errors, role: undefined }));
          }}
          options={PERSON_ROLES.map((r) => ({ id: r.id, label: r.label }))}
          description={role ? PERSON_ROLES.find((r) => r.id === role)?.description : 'What the person may see and do.'}
          error={fieldErrors.role}
          isRequired
        />
        {role === 'site_admin' ? (
          sites.length > 0 ? (
            <SelectInput label="Site" value={siteId} onChange={setSiteId} options={sites.map((s) => ({ id: s.id, label: s.name }))} error={fieldErrors.siteId} isRequired />
          ) : (
            <p className="notice notice--warning">No site has enrolled yet: a site administrator is bound to an enrolled site.</p>
          )
        ) : null}
        <div className="person-form__wide">
          <Button type="submit" className="button" isPending={pending}>
            {pending ? 'Adding…' : 'Add the person'}
          </Button>
        </div>
      </ActionForm>
      {created ? <PasswordDialog created={created} portalUrl={portalUrl} onClose={() => setCreated(null)} /> : null}
    </>
  );
}

function PasswordDialog({ created, portalUrl, onClose }: { created: CreatedPerson; portalUrl: string; onClose: () => void }) {
  const { user, oneTimePassword } = created;
  return (
    <ModalFrame title={`One-time password for ${user.displayName}`} isOpen onOpenChange={(open) => !open && onClose()} isDismissable={false} role="alertdialog">
      {(close) => (
        <>
          <div className="notice notice--warning">
            <p>
              <strong>This password is shown only once.</strong> Give it to {user.displayName} through a channel other than their email (in person or by
              phone). They must choose their own password when they first sign in.
            </p>
          </div>
          <p>
            {user.email} is now a <strong>{roleLabel(user.role)}</strong>. They sign in at <code>{portalUrl}/login</code>.
          </p>
          <h3 className="dialog__subtitle">One-time password</h3>
          <pre className="command token" tabIndex={0} aria-label="One-time password" data-testid="one-time-password">
            {oneTimePassword}
          </pre>
          <CopyButton text={oneTimePassword} label="Copy password" />
          <div className="dialog__actions">
            <Button className="button" onPress={close}>
              I have noted the password
            </Button>
          </div>
        </>
      )}
    </ModalFrame>
  );
}
