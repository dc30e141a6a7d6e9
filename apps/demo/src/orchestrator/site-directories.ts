/**
 * A file-name-safe, lower-case slug of a site's name ("St. Aurelia Heart Institute" →
 * "st-aurelia-heart-institute"), made unique among `taken` with a numeric suffix.
 */
export function siteSlug(name: string, taken: ReadonlySet<string> = new Set()): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'site';
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

/** One unique slug per site name, in order (see siteSlug). */
export function siteSlugs(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const slug = siteSlug(name, taken);
    taken.add(slug);
    return slug;
  });
}
