/**
 * The text of each row's cells in a table rendered to static HTML, for component tests that read
 * like the table they check: `[['Karolinska Solna', 'Open', 'Revoke'], …]`.
 */
export function rowsOf(html: string, section: 'thead' | 'tbody' | 'tfoot' = 'tbody'): string[][] {
  const body = html.split(`<${section}>`)[1]?.split(`</${section}>`)[0] ?? '';
  return body
    .split('</tr>')
    .filter((row) => row.includes('<t'))
    .map((row) =>
      row
        .split(/<\/t[hd]>/)
        .slice(0, -1)
        .map((cell) => cell.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()),
    );
}
