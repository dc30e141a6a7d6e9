import { describe, expect, it } from 'vitest';
import { parseDemoArgs, parseSiteArgument } from './parse-args.ts';

describe('parseSiteArgument', () => {
  it('splits at the first "=", so names may contain spaces and paths may contain "="', () => {
    expect(parseSiteArgument('St. Aurelia Heart Institute=data/a=b.csv')).toEqual({ name: 'St. Aurelia Heart Institute', dataPath: 'data/a=b.csv' });
  });

  it('trims the name and the path', () => {
    expect(parseSiteArgument(' North = north.csv ')).toEqual({ name: 'North', dataPath: 'north.csv' });
  });

  it('names what is missing', () => {
    expect(() => parseSiteArgument('north.csv')).toThrow(/expected NAME=path\.csv/);
    expect(() => parseSiteArgument('North=')).toThrow(/no data file after "="/);
    expect(() => parseSiteArgument('=north.csv')).toThrow(/site name "" must be 2 to 100/);
  });

  it('refuses names the hub would refuse, before anything starts', () => {
    expect(() => parseSiteArgument('North/South=x.csv')).toThrow(/site name "North\/South"/);
    expect(() => parseSiteArgument(`${'x'.repeat(101)}=x.csv`)).toThrow(/2 to 100/);
  });
});

describe('parseDemoArgs', () => {
  it('runs the synthetic, encrypted study by default', () => {
    expect(parseDemoArgs([])).toEqual({ kind: 'run', args: { studyPath: null, sites: [], outPath: null, plaintext: false, keep: false, portal: true, portalPort: null, rebuildPortal: false } });
  });

  it('reads a user study with its sites and every flag', () => {
    const parsed = parseDemoArgs(['--study', 'spec.json', '--site', 'A site=a.csv', '--site', 'B site=b.csv', '--out', 'r.json', '--plaintext', '--keep']);
    expect(parsed).toEqual({
      kind: 'run',
      args: {
        studyPath: 'spec.json',
        sites: [
          { name: 'A site', dataPath: 'a.csv' },
          { name: 'B site', dataPath: 'b.csv' },
        ],
        outPath: 'r.json',
        plaintext: true,
        keep: true,
        portal: true,
        portalPort: null,
        rebuildPortal: false,
      },
    });
  });

  it('serves the portal unless --no-portal, on --portal-port, rebuilt with --rebuild-portal', () => {
    const args = (argv: string[]) => {
      const parsed = parseDemoArgs(argv);
      if (parsed.kind !== 'run') throw new Error('expected a run');
      return { portal: parsed.args.portal, portalPort: parsed.args.portalPort, rebuildPortal: parsed.args.rebuildPortal };
    };
    expect(args(['--no-portal'])).toEqual({ portal: false, portalPort: null, rebuildPortal: false });
    expect(args(['--portal-port', '3100', '--rebuild-portal'])).toEqual({ portal: true, portalPort: 3100, rebuildPortal: true });
    expect(args(['--portal-port=8080'])).toEqual({ portal: true, portalPort: 8080, rebuildPortal: false });
  });

  it('refuses a bad --portal-port, and portal flags with --no-portal', () => {
    for (const bad of ['0', '65536', 'abc', '30.5', '-1', ''])
      expect(() => parseDemoArgs([`--portal-port=${bad}`])).toThrow(new RegExp(`--portal-port "${bad}": expected a port number from 1 to 65535`));
    expect(() => parseDemoArgs(['--no-portal', '--portal-port', '3000'])).toThrow(/--portal-port is for the portal, which --no-portal turns off/);
    expect(() => parseDemoArgs(['--no-portal', '--rebuild-portal'])).toThrow(/--rebuild-portal is for the portal/);
  });

  it('answers --help and -h', () => {
    expect(parseDemoArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseDemoArgs(['-h', '--keep'])).toEqual({ kind: 'help' });
  });

  it('needs at least two sites for a user study', () => {
    expect(() => parseDemoArgs(['--study', 'spec.json'])).toThrow(/at least two --site .*got 0/);
    expect(() => parseDemoArgs(['--study', 'spec.json', '--site', 'One=a.csv'])).toThrow(/got 1/);
  });

  it('needs a study spec for user sites', () => {
    expect(() => parseDemoArgs(['--site', 'Aa=a.csv', '--site', 'Bb=b.csv'])).toThrow(/--site needs --study/);
  });

  it('refuses the same site name twice', () => {
    expect(() => parseDemoArgs(['--study', 's.json', '--site', 'Aa=a.csv', '--site', 'Aa=b.csv'])).toThrow(/"Aa" is given twice/);
  });

  it('names unknown flags, stray arguments and missing values', () => {
    expect(() => parseDemoArgs(['--rounds', '3'])).toThrow(/--rounds/);
    expect(() => parseDemoArgs(['extra'])).toThrow(/extra/);
    expect(() => parseDemoArgs(['--out'])).toThrow(/--out/);
    expect(() => parseDemoArgs(['--out', ' '])).toThrow(/--out needs a file path/);
  });
});
