'use server';
/**
 * Study actions (Server Actions): create a study, invite sites (enrolment tokens), pause, resume
 * and stop. They run on the portal's server and call the hub as the signed-in person; the hub
 * decides who may (a study's lead and consortium administrators). An issued token goes back to the
 * one browser that asked, once: it is not logged, stored or put into a URL here.
 */
import { StudySpec } from '@consilium/schemas/study';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { fieldErrorsFrom, refusalMessage, type ActionResult } from '../lib/forms.ts';
import { pathIssues, type PathIssue } from '../lib/study-spec.ts';
import { hubCreateStudy, hubIssueToken, hubPauseStudy, hubResumeStudy, hubRevokeToken, hubStopStudy, type IssuedToken } from './hub.ts';

const StudyId = z.uuid();

export type CreateStudyResult = { ok: false; formError: string | null; issues: PathIssue[] };

/** Creates the study from the wizard's spec (validated here and again by the hub), then opens its page. */
export async function createStudyAction(spec: unknown): Promise<CreateStudyResult> {
  const parsed = StudySpec.safeParse(spec);
  if (!parsed.success) return { ok: false, formError: 'Some settings are not valid; they are marked on their steps.', issues: pathIssues(parsed.error) };
  const result = await hubCreateStudy({ spec: parsed.data });
  if (!result.ok) {
    const { error, problem } = result;
    const issues = error?.code === 'BAD_REQUEST' ? hubIssues(error) : [];
    if (issues.length > 0) return { ok: false, formError: 'The hub did not accept some settings; they are marked on their steps.', issues };
    return { ok: false, formError: refusalMessage(error, problem), issues: [] };
  }
  revalidatePath('/');
  redirect(`/studies/${result.data.studyId}`);
}

/** The hub's objections by field: its input issues, a domain error's `details.issues`, or the one field it names. */
function hubIssues(error: { message: string; details: Record<string, unknown> | null; zodIssues: PathIssue[] | null }): PathIssue[] {
  if (error.zodIssues && error.zodIssues.length > 0) return error.zodIssues;
  const listed = z.array(z.object({ path: z.string(), message: z.string() })).safeParse(error.details?.issues);
  if (listed.success && listed.data.length > 0) return listed.data;
  if (typeof error.details?.field === 'string') return [{ path: error.details.field, message: error.message }];
  return [];
}

export type InviteField = 'siteName' | 'validity';

const HOURS_PER_UNIT = { hours: 1, days: 24 } as const;
/** The hub's limit on a token's validity. */
const MAX_TOKEN_HOURS = 24 * 90;

/** Issues an enrolment token for a site; the token is in the answer and nowhere else. */
export async function issueTokenAction(input: {
  studyId: string;
  siteName: string;
  validity: number;
  unit: 'hours' | 'days';
}): Promise<ActionResult<IssuedToken, InviteField>> {
  const siteName = typeof input.siteName === 'string' ? input.siteName.trim() : '';
  const fieldErrors: Partial<Record<InviteField, string>> = {};
  if (siteName.length < 2) fieldErrors.siteName = 'Enter the site\'s name (at least 2 characters), e.g. "St Mary\'s Hospital".';
  else if (siteName.length > 100) fieldErrors.siteName = 'Use at most 100 characters.';
  else if (!/^[\p{L}\p{N} ._'-]+$/u.test(siteName)) fieldErrors.siteName = 'Use letters, digits, spaces and . _ \' - only.';
  const perUnit = HOURS_PER_UNIT[input.unit] ?? 1;
  const hours = Number(input.validity) * perUnit;
  if (!Number.isFinite(hours) || hours <= 0) fieldErrors.validity = 'Enter how long the invitation stays valid.';
  else if (hours > MAX_TOKEN_HOURS) fieldErrors.validity = 'An invitation can be valid for at most 90 days.';
  if (!StudyId.safeParse(input.studyId).success) return { ok: false, formError: 'There is no study with this id.', fieldErrors };
  if (Object.keys(fieldErrors).length > 0) return { ok: false, formError: null, fieldErrors };

  const result = await hubIssueToken({ studyId: input.studyId, siteName, ttlHours: hours });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { siteName: 'siteName', ttlHours: 'validity', name: 'siteName' });
      return { ok: false, formError: mapped.rest, fieldErrors: mapped.fieldErrors };
    }
    return { ok: false, formError: refusalMessage(error, problem), fieldErrors: {} };
  }
  revalidatePath(`/studies/${input.studyId}`);
  return { ok: true, data: result.data };
}

/** Revokes an enrolment token that has not been used yet. */
export async function revokeTokenAction(input: { studyId: string; tokenId: string }): Promise<ActionResult<null>> {
  if (!StudyId.safeParse(input.tokenId).success) return { ok: false, formError: 'There is no such invitation.', fieldErrors: {} };
  const result = await hubRevokeToken({ tokenId: input.tokenId });
  if (!result.ok) return { ok: false, formError: refusalMessage(result.error, result.problem), fieldErrors: {} };
  if (StudyId.safeParse(input.studyId).success) revalidatePath(`/studies/${input.studyId}`);
  return { ok: true, data: null };
}

export type StopField = 'reason';

function studyChanged(studyId: string): void {
  revalidatePath(`/studies/${studyId}`);
  revalidatePath('/');
}

/** Pauses the study: no new round opens until it is resumed. */
export async function pauseStudyAction(input: { studyId: string; reason?: string }): Promise<ActionResult<null, StopField>> {
  if (!StudyId.safeParse(input.studyId).success) return { ok: false, formError: 'There is no study with this id.', fieldErrors: {} };
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  const result = await hubPauseStudy({ studyId: input.studyId, ...(reason ? { reason } : {}) });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { reason: 'reason' });
      return { ok: false, formError: mapped.rest, fieldErrors: mapped.fieldErrors };
    }
    return { ok: false, formError: refusalMessage(error, problem), fieldErrors: {} };
  }
  studyChanged(input.studyId);
  return { ok: true, data: null };
}

/** Resumes a paused study. */
export async function resumeStudyAction(input: { studyId: string }): Promise<ActionResult<null>> {
  if (!StudyId.safeParse(input.studyId).success) return { ok: false, formError: 'There is no study with this id.', fieldErrors: {} };
  const result = await hubResumeStudy({ studyId: input.studyId });
  if (!result.ok) return { ok: false, formError: refusalMessage(result.error, result.problem), fieldErrors: {} };
  studyChanged(input.studyId);
  return { ok: true, data: null };
}

/** Stops the study for good (the model versions so far are kept); a reason is required. */
export async function stopStudyAction(input: { studyId: string; reason: string }): Promise<ActionResult<null, StopField>> {
  if (!StudyId.safeParse(input.studyId).success) return { ok: false, formError: 'There is no study with this id.', fieldErrors: {} };
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 3) return { ok: false, formError: null, fieldErrors: { reason: 'Say why the study stops (at least 3 characters). The reason is shown on the study and kept in the audit log.' } };
  if (reason.length > 500) return { ok: false, formError: null, fieldErrors: { reason: 'Use at most 500 characters.' } };
  const result = await hubStopStudy({ studyId: input.studyId, reason });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { reason: 'reason' });
      return { ok: false, formError: mapped.rest, fieldErrors: mapped.fieldErrors };
    }
    return { ok: false, formError: refusalMessage(error, problem), fieldErrors: {} };
  }
  studyChanged(input.studyId);
  return { ok: true, data: null };
}
