import type { RouterOutputs } from '@consilium/api';

type Progress = RouterOutputs['studies']['progress'];

/** A study's progress as a terminal table (used by `consilium-hub study:status`). */
export function formatStudyProgress(p: Progress): string {
  const lines = [`${p.name}  [${p.status}]${p.failureReason ? `  — ${p.failureReason}` : ''}`, ''];
  lines.push('Sites:');
  for (const s of p.sites) lines.push(`  ${s.name.padEnd(28)} last seen ${s.lastSeenAt ?? 'never'}  ${s.backend ?? ''}`);
  lines.push('', 'Rounds:');
  for (const r of p.rounds) {
    const detail = r.failureReason ?? `${r.submitted.length}/${r.participants.length} submitted, ${r.decrypted.length} decrypted`;
    lines.push(`  #${String(r.index).padStart(3)} ${r.kind.padEnd(5)} ${r.status.padEnd(11)} ${detail}`);
  }
  lines.push('', 'Models:');
  for (const m of p.models) {
    const pooled = m.pooled ? `accuracy ${m.pooled.accuracy.toFixed(3)} on ${m.pooled.n} test rows` : 'not evaluated yet';
    lines.push(`  v${m.version}  ${pooled}`);
  }
  return lines.join('\n');
}
