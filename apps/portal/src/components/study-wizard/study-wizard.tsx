'use client';
/**
 * The study creation wizard: basics, data (a sample CSV read in this browser), model and training,
 * federation, privacy, review. Every step is checked with the spec file's own zod schema (see
 * lib/study-spec.ts); a step with errors cannot be left forward, and Create sends the spec to the
 * hub through a server action, which maps the hub's own objections back onto the steps.
 */
import { useEffect, useMemo, useRef, useState, useTransition } from 'react';
import { Button, Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { errorsForSteps, errorsFromIssues, firstStepWithErrors, specFileText, STEPS, stepHasErrors, validateDraft, defaultDraft, type SpecErrors, type StepId, type StudyDraft } from '../../lib/study-spec.ts';
import { createStudyAction } from '../../server/study-actions.ts';
import { TextInput } from '../ui/fields.tsx';
import { DataStep } from './data-step.tsx';
import { FederationStep, ModelStep, PrivacyStep } from './settings-steps.tsx';
import { ReviewStep } from './review-step.tsx';


/**
 * Changes the draft. Errors already shown are checked again at once (a fixed field loses its
 * message), except for a number field's change (`fromNumberField`): it arrives when the field loses
 * focus, typically as Next is pressed, and a message vanishing then would move the button.
 */
export type DraftUpdate = (change: (draft: StudyDraft) => StudyDraft, fromNumberField?: boolean) => void;

export interface StepProps {
  draft: StudyDraft;
  update: DraftUpdate;
  /** The errors to show on this step's fields. */
  errors: SpecErrors;
}

const stepIndex = (step: StepId) => STEPS.findIndex((s) => s.id === step);

export function StudyWizard() {
  const [draft, setDraft] = useState<StudyDraft>(defaultDraft);
  const [step, setStep] = useState<StepId>('basics');
  const [furthest, setFurthest] = useState(0);
  const [attempted, setAttempted] = useState<ReadonlySet<StepId>>(new Set());
  // The hub's objections to the last Create, until the next Next or Create.
  const [hubErrors, setHubErrors] = useState<SpecErrors | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const summary = useRef<HTMLDivElement>(null);
  const [focusSummary, setFocusSummary] = useState(0);

  const validation = useMemo(() => validateDraft(draft), [draft]);
  // The errors shown: those found at the last Next or Create, checked again as fields change (see DraftUpdate).
  const [checkedErrors, setCheckedErrors] = useState<SpecErrors>({ fields: {}, general: {} });
  const shown = useMemo(() => {
    if (!hubErrors) return checkedErrors;
    return { fields: { ...hubErrors.fields, ...checkedErrors.fields }, general: { ...hubErrors.general, ...checkedErrors.general } };
  }, [checkedErrors, hubErrors]);

  useEffect(() => {
    if (focusSummary > 0) summary.current?.focus();
  }, [focusSummary]);

  // The latest draft, also between a change and the next render: a number field commits its value
  // when it loses focus, which happens just before Next or Create is pressed.
  const latest = useRef(draft);
  const update: DraftUpdate = (change, fromNumberField = false) => {
    latest.current = change(latest.current);
    setDraft(latest.current);
    if (!fromNumberField && attempted.size > 0) setCheckedErrors(errorsForSteps(validateDraft(latest.current).errors, [...attempted]));
  };

  const goTo = (target: StepId) => {
    setStep(target);
    setFurthest((f) => Math.max(f, stepIndex(target)));
  };

  const next = () => {
    const steps = new Set([...attempted, step]);
    setAttempted(steps);
    setHubErrors(null);
    setFormError(null);
    const checked = validateDraft(latest.current);
    setCheckedErrors(errorsForSteps(checked.errors, [...steps]));
    if (stepHasErrors(checked.errors, step)) {
      setFocusSummary((n) => n + 1);
      return;
    }
    const following = STEPS[stepIndex(step) + 1];
    if (following) goTo(following.id);
  };

  const back = () => {
    const previous = STEPS[stepIndex(step) - 1];
    if (previous) setStep(previous.id);
  };

  const create = () => {
    setAttempted(new Set(STEPS.map((s) => s.id)));
    setHubErrors(null);
    setFormError(null);
    const checked = validateDraft(latest.current);
    setCheckedErrors(checked.errors);
    if (!checked.ok) {
      const first = firstStepWithErrors(checked.errors) ?? 'review';
      setFormError('Some settings are not valid yet. They are marked on their step.');
      setStep(first);
      setFocusSummary((n) => n + 1);
      return;
    }
    const spec = checked.spec;
    startTransition(async () => {
      // On success the action opens the new study's page (a redirect); it returns only on failure.
      const result = await createStudyAction(spec);
      const errors = errorsFromIssues(result.issues);
      setHubErrors(errors);
      setFormError(result.formError);
      const first = firstStepWithErrors(errors);
      if (first) setStep(first);
      setFocusSummary((n) => n + 1);
    });
  };

  const stepErrors = errorsForSteps(shown, [step]);
  const fieldErrorCount = Object.keys(stepErrors.fields).length;
  const general = stepErrors.general[step] ?? [];
  const showSummary = fieldErrorCount > 0 || general.length > 0 || (formError !== null && step === 'review');

  return (
    <div className="wizard">
      <Tabs
        selectedKey={step}
        onSelectionChange={(key) => setStep(String(key) as StepId)}
        disabledKeys={STEPS.filter((_, i) => i > furthest).map((s) => s.id)}
        className="wizard__tabs"
      >
        <TabList aria-label="Steps to create a study" className="steps">
          {STEPS.map((s, i) => {
            const needsAttention = attempted.has(s.id) && stepHasErrors(shown, s.id);
            return (
              <Tab key={s.id} id={s.id} className="steps__tab">
                <span className="steps__number" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="steps__label">
                  {s.label}
                  {needsAttention ? <span className="steps__flag"> (needs attention)</span> : null}
                </span>
              </Tab>
            );
          })}
        </TabList>
        {STEPS.map((s, i) => (
          <TabPanel key={s.id} id={s.id} className="panel wizard__panel">
            <h2 className="wizard__heading">
              Step {i + 1} of {STEPS.length}: {s.label}
            </h2>
            {showSummary && step === s.id ? (
              <div ref={summary} tabIndex={-1} className="notice notice--error" role="alert" data-testid="wizard-errors">
                <p className="notice__title">{formError ?? 'Check the marked fields before you continue.'}</p>
                {fieldErrorCount > 0 ? (
                  <p>
                    {fieldErrorCount} field{fieldErrorCount === 1 ? ' needs' : 's need'} attention on this step.
                  </p>
                ) : null}
                {general.length > 0 ? (
                  <ul>
                    {general.map((message) => (
                      <li key={message}>{message}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
            {s.id === 'basics' ? <BasicsStep draft={draft} update={update} errors={shown} /> : null}
            {s.id === 'data' ? <DataStep draft={draft} update={update} errors={shown} /> : null}
            {s.id === 'model' ? <ModelStep draft={draft} update={update} errors={shown} /> : null}
            {s.id === 'federation' ? <FederationStep draft={draft} update={update} errors={shown} /> : null}
            {s.id === 'privacy' ? <PrivacyStep draft={draft} update={update} errors={shown} /> : null}
            {s.id === 'review' ? <ReviewStep draft={draft} spec={validation.ok ? validation.spec : null} specText={validation.ok ? specFileText(validation.spec) : null} /> : null}
            <div className="wizard__nav">
              {i > 0 ? (
                <Button className="button button--quiet" onPress={back}>
                  Back
                </Button>
              ) : null}
              {s.id === 'review' ? (
                <Button className="button" onPress={create} isPending={pending}>
                  {pending ? 'Creating the study…' : 'Create study'}
                </Button>
              ) : (
                <Button className="button" onPress={next}>
                  Next: {STEPS[i + 1]?.label}
                </Button>
              )}
            </div>
          </TabPanel>
        ))}
      </Tabs>
    </div>
  );
}

function BasicsStep({ draft, update, errors }: StepProps) {
  return (
    <div className="form-grid">
      <TextInput
        label="Study name"
        description="How the study appears to everyone in the consortium, e.g. “Heart disease risk, 2026”. 3 to 120 characters."
        value={draft.name}
        onChange={(name) => update((d) => ({ ...d, name }))}
        error={errors.fields.name}
        isRequired
        maxLength={120}
        autoFocus
      />
      <TextInput
        label="Description"
        description="What the model predicts and why (optional). Site administrators read this before they approve their site's part."
        value={draft.description}
        onChange={(description) => update((d) => ({ ...d, description }))}
        error={errors.fields.description}
        multiline
        maxLength={4000}
      />
    </div>
  );
}
