/**
 * What left a site, grouped for the "What left your site" page. Pure functions, tested beside.
 */

import type { RouterOutputs } from '@consilium/api';

/** One upload as the hub's `sites.uploads` answers it. */
export type Upload = RouterOutputs['sites']['uploads'][number];

export interface StudyUploads<U extends Upload = Upload> {
  studyId: string;
  studyName: string;
  /** In the hub's order (oldest first). */
  uploads: U[];
  totalBytes: number;
}

/** Uploads grouped per study, studies in the order of their first upload; uploads keep their order. */
export function groupUploadsByStudy<U extends Upload>(uploads: readonly U[]): Array<StudyUploads<U>> {
  const groups = new Map<string, StudyUploads<U>>();
  for (const upload of uploads) {
    let group = groups.get(upload.studyId);
    if (!group) {
      group = { studyId: upload.studyId, studyName: upload.studyName, uploads: [], totalBytes: 0 };
      groups.set(upload.studyId, group);
    }
    group.uploads.push(upload);
    group.totalBytes += upload.bytes;
  }
  return [...groups.values()];
}

/** An upload's kind in words. */
export function uploadKindLabel(kind: Upload['kind']): string {
  return kind === 'submission' ? 'Encrypted update' : 'Partial decryption';
}

/** "1 upload", "3 uploads". */
export function uploadCount(n: number): string {
  return `${n} ${n === 1 ? 'upload' : 'uploads'}`;
}

/**
 * A site name from a URL segment. Next passes dynamic segments percent-decoded; a value that is
 * still encoded (or malformed) is decoded once more only when that is valid.
 */
export function siteNameFromSegment(segment: string): string {
  if (!/%[0-9a-f]{2}/i.test(segment)) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The uploads page of a site. */
export function siteUploadsHref(siteName: string): string {
  return `/sites/${encodeURIComponent(siteName)}/uploads`;
}
