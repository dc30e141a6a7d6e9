import { parseArgs } from 'node:util';
import { AppError, ErrorCode } from '@consilium/errors';
import type { LocalSite } from '../orchestrator/index.ts';

/** What the user asked `npm start` to do. */
export interface DemoArgs {
  /** A study spec file; with `sites`, replaces the synthetic study. */
  studyPath: string | null;
  /** The user's sites (empty for the synthetic study). */
  sites: LocalSite[];
  /** Where to write the final metrics as JSON. */
  outPath: string | null;
  /** Run without secure aggregation. */
  plaintext: boolean;
  /** Keep the whole work directory (hub database, agent directories), not only data and logs. */
  keep: boolean;
  /** Also serve the portal, and keep hub and portal running after the report (false: --no-portal). */
  portal: boolean;
  /** --portal-port: the portal's port (null: CONSILIUM_PORTAL_PORT, else 3000). */
  portalPort: number | null;
  /** --rebuild-portal: run `next build` even when the portal's build looks up to date. */
  rebuildPortal: boolean;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'run'; args: DemoArgs };

/** Same rule as the hub's for site names, checked here so a bad name fails before anything starts. */
const SITE_NAME = /^[\p{L}\p{N} ._'-]{2,100}$/u;

/** Parses `npm start -- …` flags; throws INVALID_INPUT naming the bad flag. */
export function parseDemoArgs(argv: readonly string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        study: { type: 'string' },
        site: { type: 'string', multiple: true },
        out: { type: 'string' },
        plaintext: { type: 'boolean' },
        keep: { type: 'boolean' },
        'no-portal': { type: 'boolean' },
        'portal-port': { type: 'string' },
        'rebuild-portal': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // node:util's messages already name the flag ("Unknown option '--foo'").
    throw new AppError(ErrorCode.INVALID_INPUT, `${(error as Error).message.replace(/\. To specify.*$/s, '')}. See --help.`, { cause: error });
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };

  const sites = (values.site ?? []).map(parseSiteArgument);
  const duplicate = sites.find((site, i) => sites.findIndex((s) => s.name === site.name) !== i);
  if (duplicate) throw new AppError(ErrorCode.INVALID_INPUT, `--site: the name "${duplicate.name}" is given twice; each site needs its own name`);
  const studyPath = nonEmpty(values.study, '--study');
  if (studyPath === null && sites.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, '--site needs --study <spec.json>: the sites\' files must match a study spec');
  if (studyPath !== null && sites.length < 2)
    throw new AppError(ErrorCode.INVALID_INPUT, `--study needs at least two --site NAME=path.csv (got ${sites.length}): a consortium has several sites`);

  const portal = values['no-portal'] !== true;
  const portalPort = values['portal-port'] === undefined ? null : parsePort(values['portal-port'], '--portal-port');
  const rebuildPortal = values['rebuild-portal'] === true;
  if (!portal && (portalPort !== null || rebuildPortal))
    throw new AppError(ErrorCode.INVALID_INPUT, `${portalPort !== null ? '--portal-port' : '--rebuild-portal'} is for the portal, which --no-portal turns off`);

  return {
    kind: 'run',
    args: {
      studyPath,
      sites,
      outPath: nonEmpty(values.out, '--out'),
      plaintext: values.plaintext === true,
      keep: values.keep === true,
      portal,
      portalPort,
      rebuildPortal,
    },
  };
}

/** `NAME=path.csv` → { name, dataPath }; the name may contain spaces, the first `=` separates. */
export function parseSiteArgument(text: string): LocalSite {
  const eq = text.indexOf('=');
  if (eq < 0) throw new AppError(ErrorCode.INVALID_INPUT, `--site "${text}": expected NAME=path.csv, e.g. --site "Northgate=data/northgate.csv"`);
  const name = text.slice(0, eq).trim();
  const dataPath = text.slice(eq + 1).trim();
  if (!SITE_NAME.test(name))
    throw new AppError(ErrorCode.INVALID_INPUT, `--site "${text}": the site name "${name}" must be 2 to 100 letters, digits, spaces or . _ ' -`);
  if (dataPath === '') throw new AppError(ErrorCode.INVALID_INPUT, `--site "${text}": no data file after "="`);
  return { name, dataPath };
}

function nonEmpty(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  if (value.trim() === '') throw new AppError(ErrorCode.INVALID_INPUT, `${flag} needs a file path`);
  return value;
}

/** A TCP port number, 1 to 65535 (`what` names the flag or variable in the error). */
export function parsePort(text: string, what: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new AppError(ErrorCode.INVALID_INPUT, `${what} "${text}": expected a port number from 1 to 65535`);
  return port;
}
