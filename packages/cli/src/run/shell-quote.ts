/** Arguments longer than this many characters are cut short (with `…`) when a command line is shown. */
const maxShownArgument = 60;

/**
 * A command line as a person would type it into a POSIX shell, on one line, to show in a log: words that need no
 * quoting as they are; others in single quotes (`'it'\''s'`); words with newlines, tabs or other control
 * characters in Bash's `$'…'` (`$'line 1\nline 2'`), so a multi-line script stays on one line. Arguments longer
 * than `maxArgument` characters are cut short with `…`: the line is for reading, not for pasting.
 */
export function shellQuote(argv: readonly string[], maxArgument = maxShownArgument): string {
  return argv.map((argument) => quote(shorten(argument, maxArgument))).join(' ');
}

function shorten(argument: string, max: number): string {
  const characters = Array.from(argument);
  return characters.length <= max ? argument : `${characters.slice(0, max - 1).join('')}…`;
}

function quote(argument: string): string {
  if (argument === '') return "''";
  if (/^[\w@%+=:,./-]+$/u.test(argument)) return argument;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (!/[\u0000-\u001f\u007f]/.test(argument)) return `'${argument.replaceAll("'", `'\\''`)}'`;
  let escaped = '';
  for (const character of argument) {
    const code = character.codePointAt(0) ?? 0;
    if (character === '\\' || character === "'") escaped += `\\${character}`;
    else if (character === '\n') escaped += '\\n';
    else if (character === '\t') escaped += '\\t';
    else if (character === '\r') escaped += '\\r';
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else escaped += character;
  }
  return `$'${escaped}'`;
}
