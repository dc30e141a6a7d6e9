import type { HubResult, HubStatus } from '../server/hub.ts';
import { DateTime } from './date-time.tsx';
import { ProblemNotice } from './problem-notice.tsx';

/** The hub's liveness: reachable (address, hub clock, response time) or why not. */
export function HealthPanel({ health }: { health: HubResult<HubStatus> }) {
  return (
    <section className="panel" aria-labelledby="hub-heading">
      <h2 id="hub-heading">Hub</h2>
      {health.ok ? (
        <>
          <p className="health health--ok" data-health="ok">
            <span className="health__dot" aria-hidden="true" />
            Reachable
          </p>
          <dl className="facts">
            <div>
              <dt>Address</dt>
              <dd>
                <code>{health.data.hubUrl}</code>
              </dd>
            </div>
            <div>
              <dt>Hub time</dt>
              <dd>
                <DateTime iso={health.data.time} />
              </dd>
            </div>
            <div>
              <dt>Response time</dt>
              <dd>{health.data.latencyMs} ms</dd>
            </div>
          </dl>
        </>
      ) : (
        <>
          <p className="health health--down" data-health="down">
            <span className="health__dot" aria-hidden="true" />
            {health.problem.kind === 'misconfigured' ? 'Not configured' : 'Unavailable'}
          </p>
          <ProblemNotice problem={health.problem} />
        </>
      )}
    </section>
  );
}
