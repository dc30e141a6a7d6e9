import type { HubProblem } from '../server/hub.ts';

/**
 * Explains why hub data cannot be shown (unconfigured, unreachable, not allowed for this role, ...) and what
 * an operator can do about it. Rendered on the server in place of the data.
 */
export function ProblemNotice({ problem, headingLevel = 3 }: { problem: HubProblem; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className={`notice notice--${problem.kind === 'not-found' || problem.kind === 'forbidden' ? 'warning' : 'error'}`} role="alert" data-problem={problem.kind}>
      <Heading className="notice__title">{problem.title}</Heading>
      <p>{problem.detail}</p>
      {problem.hint ? <p className="notice__hint">{problem.hint}</p> : null}
    </div>
  );
}
