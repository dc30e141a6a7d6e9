import type { StudyProgress } from '../orchestrator/index.ts';

/**
 * Short labels for the sites (A, B, C, … then S27, S28, …) in the hub's order, so a round's row
 * can show who has submitted in a few characters; a legend maps them to names.
 */
export function siteLabels(sites: StudyProgress['sites']): Map<string, string> {
  return new Map(sites.map((site, i) => [site.siteId, i < 26 ? String.fromCharCode(65 + i) : `S${i + 1}`]));
}

/**
 * Which sites have done something: each site's label if it has, '·' if it is expected to, blank
 * if it is not a participant. E.g. "A · C D".
 */
export function siteMarks(sites: StudyProgress['sites'], labels: ReadonlyMap<string, string>, participants: readonly string[], done: readonly string[]): string {
  return sites
    .map((site) => {
      const label = labels.get(site.siteId) ?? '?';
      if (done.includes(site.siteId)) return label;
      return participants.includes(site.siteId) ? '·'.padEnd(label.length) : ' '.repeat(label.length);
    })
    .join(' ');
}
