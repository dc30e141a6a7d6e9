import { modelVersions, rounds, studySites } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';

export interface ModelVersionWithParameters {
  id: string;
  studyId: string;
  version: number;
  roundIndex: number;
  parameterCount: number;
  parametersHash: string;
  /** Flat float32 little-endian parameters. */
  parameters: Uint8Array;
  createdAt: Date;
}

/**
 * A global model version with its parameters. `siteId` restricts access to members of the study
 * (administrators pass null).
 */
export async function getModelVersion(ctx: DomainContext, input: { modelVersionId: string; siteId: string | null }): Promise<ModelVersionWithParameters> {
  const [row] = await ctx.db
    .select({ model: modelVersions, roundIndex: rounds.index })
    .from(modelVersions)
    .innerJoin(rounds, eq(rounds.id, modelVersions.roundId))
    .where(eq(modelVersions.id, input.modelVersionId));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Model version ${input.modelVersionId} does not exist`);
  if (input.siteId) {
    const [member] = await ctx.db
      .select()
      .from(studySites)
      .where(and(eq(studySites.studyId, row.model.studyId), eq(studySites.siteId, input.siteId)));
    if (!member) throw new AppError(ErrorCode.FORBIDDEN, 'This site is not part of the study that produced this model');
  }
  const { model } = row;
  return {
    id: model.id,
    studyId: model.studyId,
    version: model.version,
    roundIndex: row.roundIndex,
    parameterCount: model.parameterCount,
    parametersHash: model.parametersHash,
    parameters: model.parameters,
    createdAt: model.createdAt,
  };
}
