import type { StudyProgress, StudySummary } from '../server/hub.ts';
import { statusLabel } from '../lib/format.ts';

type StudyStatus = StudySummary['status'];
type RoundStatus = StudyProgress['rounds'][number]['status'];

type Tone = 'neutral' | 'info' | 'active' | 'success' | 'danger';

const TONES: Record<StudyStatus | RoundStatus, Tone> = {
  enrolling: 'info',
  keygen: 'info',
  running: 'active',
  completed: 'success',
  failed: 'danger',
  stopped: 'neutral',
  open: 'active',
  collecting: 'active',
  decrypting: 'active',
  complete: 'success',
};

/** A status as text with a colour cue (the text carries the meaning; colour only reinforces it). */
export function StatusBadge({ status }: { status: StudyStatus | RoundStatus }) {
  return <span className={`badge badge--${TONES[status] ?? 'neutral'}`}>{statusLabel(status)}</span>;
}
