'use client';
/**
 * A form that runs a server action instead of navigating: the browser's submit (Enter, or the
 * submit button) calls `onSubmit`, and a message about the whole form — the hub's refusal, or why
 * the hub could not be asked — is announced above the fields. Field errors belong to the fields.
 */
import { useState, useTransition, type ReactNode } from 'react';
import { Form } from 'react-aria-components';
import type { ActionResult } from '../../lib/forms.ts';

export function ActionForm({
  label,
  className,
  errorClassName,
  formError,
  onSubmit,
  children,
}: {
  label: string;
  className: string;
  /** Where the message sits in the form's layout (e.g. across a grid's columns). */
  errorClassName: string;
  formError: string | null;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Form
      className={className}
      aria-label={label}
      validationBehavior="aria"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {formError ? (
        <div className={`notice notice--error ${errorClassName}`} role="alert">
          <p>{formError}</p>
        </div>
      ) : null}
      {children}
    </Form>
  );
}

/**
 * The state of an ActionForm: its messages and whether the action runs. `submit` runs the action
 * and keeps the hub's messages on refusal, or clears them and hands over the answer on success.
 */
export function useActionForm<T, Field extends string>() {
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const submit = (action: () => Promise<ActionResult<T, Field>>, onSuccess: (data: T) => void) =>
    startTransition(async () => {
      const result = await action();
      setFieldErrors(result.ok ? {} : result.fieldErrors);
      setFormError(result.ok ? null : result.formError);
      if (result.ok) onSuccess(result.data);
    });
  return { fieldErrors, setFieldErrors, formError, pending, submit };
}
