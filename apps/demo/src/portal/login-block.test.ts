import { describe, expect, it } from 'vitest';
import { box, formatLoginBlock } from './login-block.ts';

const common = { url: 'http://127.0.0.1:3000', hubDataDir: '.consilium/demo/portal-hub', studyName: 'MACE risk' };

describe('formatLoginBlock', () => {
  it('shows a new account\'s one-time password, once, and says it is one-time', () => {
    const text = formatLoginBlock({ ...common, account: { status: 'created', email: 'admin@consilium.demo', oneTimePassword: 'ABCDE-FGHJK-LMNPQ-RSTUV' } });
    expect(text).toContain('│ Portal       http://127.0.0.1:3000');
    expect(text).toContain('│ E-mail       admin@consilium.demo');
    expect(text).toContain('│ Password     ABCDE-FGHJK-LMNPQ-RSTUV');
    expect(text).toMatch(/ONE-TIME and shown only this once/);
    expect(text).toMatch(/asks\s*│\n│ for a new password of your own at first sign-in/);
    expect(text.match(/ABCDE-FGHJK-LMNPQ-RSTUV/g)).toHaveLength(1);
    expect(text).toContain('"MACE risk"');
  });

  it('for an account from an earlier run, prints no password but how to sign in or reset it', () => {
    const text = formatLoginBlock({ ...common, account: { status: 'existing', email: 'admin@consilium.demo', passwordChangeRequired: false, disabled: false } });
    expect(text).toContain('Password     the password you chose at first sign-in');
    expect(text).toContain('created by an earlier run');
    expect(text).toContain('delete .consilium/demo/portal-hub');
    expect(text).not.toMatch(/[A-Z0-9]{5}-[A-Z0-9]{5}/);
    expect(formatLoginBlock({ ...common, account: { status: 'existing', email: 'a@b.c', passwordChangeRequired: true, disabled: false } })).toContain(
      'the one-time password printed when it was created',
    );
    expect(formatLoginBlock({ ...common, account: { status: 'existing', email: 'a@b.c', passwordChangeRequired: false, disabled: true } })).toContain('disabled');
  });

  it('frames the lines in a box of even width', () => {
    expect(box(['ab', 'abcd'])).toBe(['┌──────┐', '│ ab   │', '│ abcd │', '└──────┘'].join('\n'));
    const widths = formatLoginBlock({ ...common, account: { status: 'created', email: 'admin@consilium.demo', oneTimePassword: 'X' } })
      .split('\n')
      .map((l) => [...l].length);
    expect(new Set(widths).size).toBe(1);
  });
});
