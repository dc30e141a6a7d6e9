'use server';
/**
 * Site actions (Server Actions): a site administrator approves or declines their site's part in a
 * study. The hub allows it only for the administrators of that site.
 */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { fieldErrorsFrom, refusalMessage, type ActionResult } from '../lib/forms.ts';
import { hubDecideConsent } from './hub.ts';

export type ConsentField = 'note';

const Input = z.object({
  siteName: z.string().min(1).max(100),
  studyId: z.uuid(),
  decision: z.enum(['approve', 'decline']),
  note: z.string().optional(),
});

/** Records the site's decision about a study, with an optional note. */
export async function decideConsentAction(input: { siteName: string; studyId: string; decision: 'approve' | 'decline'; note?: string }): Promise<ActionResult<{ consent: string; decidedAt: string }, ConsentField>> {
  const parsed = Input.safeParse(input);
  if (!parsed.success) return { ok: false, formError: 'This decision could not be sent: the site or study is not valid.', fieldErrors: {} };
  const note = parsed.data.note?.trim() ?? '';
  if (note.length > 500) return { ok: false, formError: null, fieldErrors: { note: 'Use at most 500 characters.' } };
  const result = await hubDecideConsent({ siteName: parsed.data.siteName, studyId: parsed.data.studyId, decision: parsed.data.decision, ...(note ? { note } : {}) });
  if (!result.ok) {
    const { error, problem } = result;
    if (error?.code === 'BAD_REQUEST') {
      const mapped = fieldErrorsFrom(error, { note: 'note' });
      return { ok: false, formError: mapped.rest, fieldErrors: mapped.fieldErrors };
    }
    return { ok: false, formError: refusalMessage(error, problem), fieldErrors: {} };
  }
  revalidatePath('/sites/[name]', 'page');
  revalidatePath('/studies/[id]', 'page');
  return { ok: true, data: { consent: String(result.data.consent), decidedAt: String(result.data.decidedAt) } };
}
