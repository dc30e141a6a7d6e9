import { AppError, describeError, ErrorCode } from '@consilium/errors';
import type { StudySpec, StudySpecInput } from '@consilium/schemas';
import { adminClientOf, type HubConnection } from './hub-client.ts';

/** A created study and one enrolment token per invited site. */
export interface CreatedStudy {
  studyId: string;
  /** One-time enrolment token by site name. */
  tokens: Record<string, string>;
}

/**
 * Creates a study through the admin API and issues a one-time enrolment token for each site. The
 * hub validates the spec; its message names the bad field.
 */
export async function createStudy(hub: HubConnection, spec: StudySpec | StudySpecInput, siteNames: readonly string[]): Promise<CreatedStudy> {
  const duplicate = siteNames.find((name, i) => siteNames.indexOf(name) !== i);
  if (duplicate !== undefined) throw new AppError(ErrorCode.INVALID_INPUT, `Site "${duplicate}" is listed twice; site names must be unique`);
  const client = adminClientOf(hub);
  let studyId: string;
  try {
    ({ studyId } = await client.studies.create.mutate({ spec }));
  } catch (error) {
    throw new AppError(ErrorCode.INVALID_INPUT, `The hub refused the study: ${describeError(error)}`, { cause: error });
  }
  const tokens: Record<string, string> = {};
  for (const siteName of siteNames) {
    try {
      tokens[siteName] = (await client.studies.issueToken.mutate({ studyId, siteName })).token;
    } catch (error) {
      throw new AppError(ErrorCode.INVALID_INPUT, `Could not invite site "${siteName}": ${describeError(error)}`, { cause: error });
    }
  }
  return { studyId, tokens };
}
