/**
 * Patterns for `match`: `*` stands for any run of characters (dots included), everything else is literal.
 * `data.*` matches `data.export` and `data.read.raw`; `prod*` matches `prod` and `production`; `*` matches all.
 */
export interface PatternSet {
  /** The patterns as written. */
  readonly patterns: readonly string[];
  /** The patterns without `*`, which can be looked up instead of scanned. */
  readonly exact: readonly string[];
  readonly matches: (value: string) => boolean;
}

export function compilePatterns(patterns: string | readonly string[]): PatternSet {
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  const exact = list.filter((pattern) => !pattern.includes('*'));
  const wildcards = list.filter((pattern) => pattern.includes('*'));
  if (wildcards.includes('*')) return { patterns: list, exact, matches: () => true };
  const exactSet = new Set(exact);
  // One `*` at either end is a prefix or suffix test; anything else becomes one anchored regular expression.
  const single = (p: string) => p.indexOf('*') === p.lastIndexOf('*');
  const prefixes = wildcards.filter((p) => single(p) && p.endsWith('*')).map((p) => p.slice(0, -1));
  const suffixes = wildcards.filter((p) => single(p) && p.startsWith('*')).map((p) => p.slice(1));
  const others = wildcards.filter((p) => !single(p) || !(p.startsWith('*') || p.endsWith('*')));
  const regex = others.length > 0 ? new RegExp(`^(?:${others.map(globToRegexSource).join('|')})$`, 's') : undefined;
  return {
    patterns: list,
    exact,
    matches: (value) =>
      exactSet.has(value) ||
      prefixes.some((prefix) => value.startsWith(prefix)) ||
      suffixes.some((suffix) => value.endsWith(suffix)) ||
      (regex?.test(value) ?? false),
  };
}

function globToRegexSource(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
}
