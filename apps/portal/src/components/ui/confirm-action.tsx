'use client';
/**
 * A button that opens a confirmation dialog and runs a server action from it: the one shape of
 * every "are you sure?" in the portal (pause, resume, stop, revoke an invitation, approve or
 * decline a study). It keeps the dialog open with the hub's reason when the action is refused,
 * shows a field error beside the optional text field, and closes only when the action succeeded.
 */
import { useState, useTransition, type ReactNode } from 'react';
import { Button, DialogTrigger } from 'react-aria-components';
import type { ActionResult } from '../../lib/forms.ts';
import { TextInput } from './fields.tsx';
import { ModalFrame } from './modal.tsx';

/** A free-text field in the dialog (a reason or a note) and the action's name for it. */
export interface ConfirmTextField<Field extends string> {
  field: Field;
  label: string;
  description: string;
  isRequired?: boolean;
  multiline?: boolean;
}

export function ConfirmAction<Field extends string = never>({
  trigger,
  title,
  children,
  text,
  confirm,
  run,
}: {
  trigger: { label: string; className: string; ariaLabel?: string };
  title: string;
  /** What the action does, in the dialog's body above the text field. */
  children: ReactNode;
  text?: ConfirmTextField<Field>;
  confirm: { label: string; pendingLabel: string; className: string };
  /** Runs the action with the text field's value ('' without one). */
  run: (text: string) => Promise<ActionResult<unknown, Field>>;
}) {
  const [value, setValue] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  return (
    <DialogTrigger
      onOpenChange={() => {
        setFormError(null);
        setFieldError(undefined);
      }}
    >
      <Button className={trigger.className} aria-label={trigger.ariaLabel}>
        {trigger.label}
      </Button>
      <ModalFrame title={title} role="alertdialog">
        {(close) => (
          <>
            {children}
            {text ? (
              <TextInput
                label={text.label}
                description={text.description}
                value={value}
                onChange={(next) => {
                  setValue(next);
                  setFieldError(undefined);
                }}
                error={fieldError}
                isRequired={text.isRequired}
                multiline={text.multiline}
                maxLength={500}
              />
            ) : null}
            {formError ? (
              <div className="notice notice--error" role="alert">
                <p>{formError}</p>
              </div>
            ) : null}
            <div className="dialog__actions">
              <Button className="button button--quiet" onPress={close}>
                Cancel
              </Button>
              <Button
                className={confirm.className}
                isPending={pending}
                onPress={() =>
                  startTransition(async () => {
                    const result = await run(value);
                    if (result.ok) {
                      close();
                      return;
                    }
                    setFormError(result.formError);
                    setFieldError(text ? result.fieldErrors[text.field] : undefined);
                  })
                }
              >
                {pending ? confirm.pendingLabel : confirm.label}
              </Button>
            </div>
          </>
        )}
      </ModalFrame>
    </DialogTrigger>
  );
}
