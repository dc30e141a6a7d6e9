import { formatDecimal, formatInteger, formatPercent, shortHash } from '../../lib/format.ts';
import { MODEL_DOWNLOADS } from '../../lib/model-card.ts';
import type { StudyProgress } from '../../server/hub.ts';
import { EmptyState } from '../empty-state.tsx';
import { TableRegion } from '../table-region.tsx';

/**
 * Model versions with metrics pooled over the sites' test sets (weighted by size; AUC averaged).
 * With `studyId`, each version has its download links (TensorFlow.js files and model card).
 */
export function ModelsTable({ models, rounds, studyId }: { models: StudyProgress['models']; rounds: StudyProgress['rounds']; studyId?: string }) {
  if (models.length === 0) {
    return (
      <EmptyState title="No model versions yet.">
        <p>Each completed training round produces a model version, evaluated by every site.</p>
      </EmptyState>
    );
  }
  const roundIndex = new Map(rounds.map((r) => [r.id, r.index]));
  return (
    <TableRegion labelledBy="models-caption">
      <table className="table">
        <caption id="models-caption" className="visually-hidden">
          Model versions with pooled test metrics
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col" className="num">
              Round
            </th>
            <th scope="col" className="num">
              Pooled accuracy
            </th>
            <th scope="col" className="num">
              Pooled loss
            </th>
            <th scope="col" className="num">
              Mean AUC
            </th>
            <th scope="col" className="num">
              Test samples
            </th>
            <th scope="col" className="num">
              Sites evaluated
            </th>
            <th scope="col">Parameters hash</th>
            {studyId ? <th scope="col">Downloads</th> : null}
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.id}>
              <th scope="row" className="num">
                v{model.version}
              </th>
              <td className="num">{roundIndex.get(model.roundId) ?? '—'}</td>
              <td className="num">{formatPercent(model.pooled?.accuracy ?? null)}</td>
              <td className="num">{formatDecimal(model.pooled?.loss ?? null)}</td>
              <td className="num">{formatDecimal(model.pooled?.meanAuc ?? null)}</td>
              <td className="num">{formatInteger(model.pooled?.n ?? null)}</td>
              <td className="num">{model.evaluations.length}</td>
              <td>
                <code title={model.parametersHash}>{shortHash(model.parametersHash)}</code>
              </td>
              {studyId ? (
                <td>
                  <ul className="download-links" aria-label={`Downloads of version ${model.version}`}>
                    {MODEL_DOWNLOADS.map((d) => (
                      <li key={d.file}>
                        <a href={`/studies/${studyId}/models/${model.version}?file=${d.file}`} download aria-label={`${d.label}, version ${model.version}`}>
                          {d.label}
                        </a>
                      </li>
                    ))}
                  </ul>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
