import { describe, expect, it } from 'vitest';
import { siteSlug, siteSlugs } from './site-directories.ts';

describe('site slugs', () => {
  it('makes names file-safe and unique', () => {
    expect(siteSlug('St. Aurelia Heart Institute')).toBe('st-aurelia-heart-institute');
    expect(siteSlug('Hôpital Saint-Éloi')).toBe('hopital-saint-eloi');
    expect(siteSlug('***')).toBe('site');
    expect(siteSlugs(['North', 'north', 'NORTH!'])).toEqual(['north', 'north-2', 'north-3']);
  });
});
