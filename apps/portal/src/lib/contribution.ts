/**
 * Formatting for the contribution page: credits, ownership shares, components and evidence in words.
 *
 * Amounts travel from the hub as micro-credits in decimal strings (1 credit = 1 000 000 micro): they
 * are exact integers that may exceed 2^53, so they are formatted with BigInt and string arithmetic,
 * never through a float. Shares are the hub's exact percent strings (they add up to exactly 100 %);
 * only the chart turns them into numbers, to draw them.
 */
import type { RouterOutputs } from '@consilium/api';

export type StudyContribution = RouterOutputs['contribution']['summary'];
export type SiteContribution = StudyContribution['sites'][number];
export type SettledRound = StudyContribution['rounds'][number];
export type SiteRoundRecord = SettledRound['records'][number];
export type ContributionEvidence = StudyContribution['evidence'][number];

const MICRO_PER_CREDIT = 1_000_000n;
const INTEGER = /^-?\d+$/;

/** Groups an unsigned digit string in threes: "1234567" → "1,234,567". */
function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Micro-credits as credits, exactly: "1234567890" → "1,234.56789", "1000000" → "1.00",
 * "-500000" → "−0.50". At least two decimals, at most six (the micro digits), trailing zeros dropped.
 * Anything that is not an integer is shown as "—" (the hub's schema rules that out).
 */
export function formatCredits(amountMicro: string | bigint): string {
  if (typeof amountMicro === 'string' && !INTEGER.test(amountMicro)) return '—';
  const value = BigInt(amountMicro);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = groupDigits(String(abs / MICRO_PER_CREDIT));
  let fraction = String(abs % MICRO_PER_CREDIT).padStart(6, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '−' : ''}${whole}.${fraction}`;
}

/** True for a positive amount (e.g. to show a slash only when there was one). */
export function isPositiveAmount(amountMicro: string): boolean {
  return INTEGER.test(amountMicro) && BigInt(amountMicro) > 0n;
}

/** Sum of micro-credit strings, exactly. */
export function sumMicro(amounts: readonly string[]): bigint {
  return amounts.reduce((sum, a) => sum + (INTEGER.test(a) ? BigInt(a) : 0n), 0n);
}

/**
 * The hub's exact share string for people: "33.333334%" → "33.333334 %", "50.000000%" → "50 %".
 * Only trailing zeros are dropped, so the shown shares still add up to exactly 100 %.
 */
export function formatShare(percent: string): string {
  const match = /^(-?\d+)(?:\.(\d+))?\s*%?$/.exec(percent.trim());
  if (!match) return percent;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return `${match[1]}${fraction ? `.${fraction}` : ''} %`;
}

/** The share as a number of percent, for drawing only (the chart's y value). */
export function shareValue(percent: string): number {
  const value = Number.parseFloat(percent);
  return Number.isFinite(value) ? value : 0;
}

/**
 * Scores and factors (reputation, rarity, quality, components): up to three decimals, compact for
 * large magnitudes (compute is in model operations): 0.5 → "0.5", 1 234 567 → "1.23M".
 */
export function formatScore(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 10_000) return new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 }).format(n);
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 }).format(n);
}

/** A metric value in a sentence: three significant digits, "0.23", "0.812", "12.3". */
export function formatMetricValue(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(3)));
}

const METRIC_LABELS: Record<string, string> = { auc: 'AUC', accuracy: 'accuracy', loss: 'loss', 'participation-impact': 'participation impact' };

/** "auc" → "AUC". */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

const REASON_LABELS: Record<string, string> = {
  'metric-outlier': 'Validation metric far from the other sites',
  'aggregate-disagreement': 'Validation metric far from the consortium value',
  'participation-harm': 'Rounds with this site improved the model less',
  'missing-metric': 'Validation report incomplete',
  'non-finite-metric': 'Validation report not a number',
  'claim-exceeds-declared': 'Claim exceeds what the site declared',
  'malformed-submission': 'Malformed submission',
  'histogram-exceeds-aggregate': 'Label counts exceed the consortium total',
  'histogram-exceeds-declared': 'Label counts exceed the declared dataset',
  'histogram-sum-mismatch': 'Signed label counts do not match the encrypted total',
  'invalid-ciphertext': 'Ciphertext rejected',
  'replayed-ciphertext': 'Ciphertext replayed',
};

/** What kind of anomaly, in a few words ("Claim exceeds what the site declared"). */
export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? reason.replaceAll('-', ' ');
}

/** Who the evidence is about: the site's name, or the whole consortium (evidence no single site can be blamed for). */
export function evidenceSubject(evidence: Pick<ContributionEvidence, 'siteName' | 'siteId'>): string {
  return evidence.siteName ?? (evidence.siteId === null ? 'consortium-wide' : evidence.siteId);
}

/** The reason's numbers in words, without the round and site. */
export function evidenceDetail(evidence: ContributionEvidence): string {
  if (evidence.kind === 'submission') return evidence.detail;
  const distance = `${formatMetricValue(Math.abs(evidence.z))} robust SDs`;
  const threshold = `(threshold ${formatMetricValue(evidence.threshold)})`;
  switch (evidence.reason) {
    case 'aggregate-disagreement':
      return `${metricLabel(evidence.metric)} ${formatMetricValue(evidence.value)} is ${distance} from the consortium's value ${formatMetricValue(evidence.reference)} ${threshold}`;
    case 'participation-harm':
      return `participation impact ${formatMetricValue(evidence.value)} is ${distance} from the median ${formatMetricValue(evidence.reference)} ${threshold}: rounds with this site improved the global model less than rounds without it`;
    default:
      return `${metricLabel(evidence.metric)} ${formatMetricValue(evidence.value)} is ${distance} from the median ${formatMetricValue(evidence.reference)} ${threshold}`;
  }
}

/**
 * One flag in plain words, with the numbers that produced it:
 * "Round 2 — flipper: AUC 0.23 is 9.4 robust SDs from the median 0.81 (threshold 3.5)",
 * "Round 1 — inflater: samples 1200 exceeds the declared dataset size 300".
 */
export function evidenceSentence(evidence: ContributionEvidence): string {
  return `Round ${evidence.round} — ${evidenceSubject(evidence)}: ${evidenceDetail(evidence)}`;
}

const MISCONDUCT_LABELS: Record<string, string> = {
  proof: 'Misconduct proven by its own signed data',
  repeated: 'Misconduct: flagged repeatedly',
  quorum: 'Misconduct: confirmed by a quorum of validators',
};

export function misconductLabel(misconduct: SiteRoundRecord['misconduct']): string | null {
  return misconduct === null ? null : (MISCONDUCT_LABELS[misconduct] ?? misconduct);
}

/** One row per settled round, one numeric key per site id: the share-over-rounds chart's data. */
export function shareChartRows(history: StudyContribution['shareHistory'], siteIds: readonly string[]): Array<Record<string, number>> {
  return history.map((point) => {
    const row: Record<string, number> = { round: point.round };
    for (const id of siteIds) row[id] = shareValue(point.shares[id] ?? '0');
    return row;
  });
}

/** The latest settled round, or null before any round was settled. */
export function latestSettledRound(rounds: readonly SettledRound[]): SettledRound | null {
  return rounds.reduce<SettledRound | null>((latest, r) => (latest === null || r.round > latest.round ? r : latest), null);
}

/** Evidence grouped by round, latest round first (each round's flags in the hub's order). */
export function evidenceByRound(evidence: readonly ContributionEvidence[]): Array<{ round: number; items: ContributionEvidence[] }> {
  const byRound = new Map<number, ContributionEvidence[]>();
  for (const e of evidence) byRound.set(e.round, [...(byRound.get(e.round) ?? []), e]);
  return [...byRound.entries()].sort(([a], [b]) => b - a).map(([round, items]) => ({ round, items }));
}
