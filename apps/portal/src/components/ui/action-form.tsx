'use client';
/**
 * A form that runs a server action instead of navigating: the browser's submit (Enter, or the
 * submit button) calls `onSubmit`, and a message about the whole form — the hub's refusal, or why
 * the hub could not be asked — is announced above the fields. Field errors belong to the fields.
 */
import type { ReactNode } from 'react';
import { Form } from 'react-aria-components';

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
