import type { DemoAdminAccount } from './admin-account.ts';

export interface LoginBlockInput {
  url: string;
  account: DemoAdminAccount;
  /** The hub's data directory as shown to the user (deleting it resets the account). */
  hubDataDir: string;
  /** The demo study's name, to find it in the portal. */
  studyName: string;
}

/**
 * The boxed block that tells where the portal is and how to sign in. A new account's one-time
 * password appears here, and nowhere else: it is not stored, so this is the only time it is shown.
 * An existing account's password is the owner's; the block says how to start over instead.
 */
export function formatLoginBlock(input: LoginBlockInput): string {
  const { account } = input;
  const lines = [`Portal       ${input.url}`, `E-mail       ${account.email}`];
  if (account.status === 'created') {
    lines.push(
      `Password     ${account.oneTimePassword}`,
      '',
      'The password is ONE-TIME and shown only this once: the portal asks',
      'for a new password of your own at first sign-in.',
    );
  } else {
    lines.push(
      account.disabled
        ? 'Password     (this account is disabled: reset it as below)'
        : account.passwordChangeRequired
          ? 'Password     the one-time password printed when it was created'
          : 'Password     the password you chose at first sign-in',
      '',
      'This account was created by an earlier run on the same hub database;',
      'its password is not stored anywhere and is not printed again.',
      `To reset it: stop the demo, delete ${input.hubDataDir}`,
      '(the demo hub\'s database, earlier demo studies included) and run',
      'npm start again: it creates the account anew, with a new one-time password.',
    );
  }
  lines.push('', 'You sign in as a consortium administrator; the portal lists the demo study:', `"${input.studyName}".`);
  return box(lines);
}

/** Lines framed by a box drawn with Unicode box characters. */
export function box(lines: readonly string[]): string {
  const width = Math.max(...lines.map((l) => [...l].length));
  const edge = '─'.repeat(width + 2);
  const body = lines.map((l) => `│ ${l}${' '.repeat(width - [...l].length)} │`);
  return [`┌${edge}┐`, ...body, `└${edge}┘`].join('\n');
}
