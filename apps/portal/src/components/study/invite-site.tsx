'use client';
/**
 * "Invite a site": issues a one-time enrolment token and shows it once, in a dialog, with the
 * command the site's administrator runs. The token lives only in this component's state while the
 * dialog is open: it is never put into a URL, logged or rendered after the dialog closes.
 */
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { formatDateTime } from '../../lib/format.ts';
import { issueTokenAction, type InviteField } from '../../server/study-actions.ts';
import type { IssuedToken } from '../../server/hub.ts';
import { ActionForm, useActionForm } from '../ui/action-form.tsx';
import { CopyButton } from '../ui/copy-button.tsx';
import { NumberInput, SelectInput, TextInput } from '../ui/fields.tsx';
import { ModalFrame } from '../ui/modal.tsx';

type Unit = 'hours' | 'days';

export function InviteSite({ studyId, hubUrl }: { studyId: string; hubUrl: string }) {
  const [siteName, setSiteName] = useState('');
  const [validity, setValidity] = useState(7);
  const [unit, setUnit] = useState<Unit>('days');
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const { fieldErrors, formError, pending, submit: run } = useActionForm<IssuedToken, InviteField>();

  const submit = () =>
    run(
      () => issueTokenAction({ studyId, siteName, validity, unit }),
      (token) => {
        setIssued(token);
        setSiteName('');
      },
    );

  return (
    <>
      <ActionForm className="invite-form" label="Invite a site" errorClassName="invite-form__error" formError={formError} onSubmit={submit}>
        <TextInput
          label="Site name"
          value={siteName}
          onChange={setSiteName}
          error={fieldErrors.siteName}
          isRequired
          maxLength={100}
          className="invite-form__name"
        />
        <NumberInput label="Valid for" value={validity} onChange={setValidity} minValue={1} error={fieldErrors.validity} isRequired className="invite-form__validity" />
        <SelectInput
          label="Unit"
          value={unit}
          onChange={setUnit}
          options={[
            { id: 'hours', label: 'hours' },
            { id: 'days', label: 'days' },
          ]}
          className="invite-form__unit"
        />
        <Button type="submit" className="button invite-form__submit" isPending={pending}>
          {pending ? 'Issuing the token…' : 'Invite a site'}
        </Button>
      </ActionForm>
      {issued ? <TokenDialog issued={issued} hubUrl={hubUrl} onClose={() => setIssued(null)} /> : null}
    </>
  );
}

function TokenDialog({ issued, hubUrl, onClose }: { issued: IssuedToken; hubUrl: string; onClose: () => void }) {
  const enrolCommand = `consilium-agent enroll --hub ${hubUrl} --token ${issued.token} --approve-study`;
  return (
    <ModalFrame title={`Enrolment token for ${issued.siteName}`} isOpen onOpenChange={(open) => !open && onClose()} isDismissable={false} role="alertdialog">
      {(close) => (
        <>
          <div className="notice notice--warning">
            <p>
              <strong>This token is shown only once.</strong> Copy it now and pass it to the site&apos;s administrator through a secure channel. If it is lost,
              revoke it and invite the site again.
            </p>
          </div>
          <p>
            Valid until <strong>{formatDateTime(issued.expiresAt)}</strong>, for one enrolment.
          </p>
          <h3 className="dialog__subtitle">Token</h3>
          <pre className="command token" tabIndex={0} aria-label="Enrolment token" data-testid="enrolment-token">
            {issued.token}
          </pre>
          <CopyButton text={issued.token} label="Copy token" />
          <h3 className="dialog__subtitle">On the site&apos;s server</h3>
          <p>Set up the agent and enrol interactively (it asks for the hub address and the token):</p>
          <pre className="command">consilium-agent init</pre>
          <p>or enrol directly, approving the study for the site at the same time:</p>
          <pre className="command" tabIndex={0} aria-label="Enrolment command" data-testid="enrolment-command">
            {enrolCommand}
          </pre>
          <CopyButton text={enrolCommand} label="Copy command" />
          <p className="muted">
            Without <code>--approve-study</code>, the site&apos;s administrator approves the study later on the site&apos;s page in this portal; the agent
            trains for it only once it is approved. Use the hub address the hospital reaches the hub at, if it differs from {hubUrl}.
          </p>
          <div className="dialog__actions">
            <Button className="button" onPress={close}>
              I have copied the token
            </Button>
          </div>
        </>
      )}
    </ModalFrame>
  );
}
