import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest, so word boundaries show', () => {
    expect(shellQuote(['kubectl', 'rollout', 'restart', 'deploy/billing', '--namespace=prod', 'a@b.c:8080'])).toBe(
      'kubectl rollout restart deploy/billing --namespace=prod a@b.c:8080',
    );
    expect(shellQuote(['echo', 'two words', '', "it's", '$HOME', '*.csv', 'a"b'])).toBe(
      `echo 'two words' '' 'it'\\''s' '$HOME' '*.csv' 'a"b'`,
    );
  });

  it("keeps a multi-line script on one line with $'…' escapes", () => {
    expect(shellQuote(['node', '-e', "const a = 'x';\nconsole.log(a)\t// \\done"])).toBe(
      `node -e $'const a = \\'x\\';\\nconsole.log(a)\\t// \\\\done'`,
    );
    expect(shellQuote(['printf', 'bell\u0007'])).toBe(`printf $'bell\\x07'`);
  });

  it('cuts very long arguments short with …', () => {
    const quoted = shellQuote(['sh', '-c', 'x'.repeat(500)]);
    expect(quoted).toBe(`sh -c '${'x'.repeat(59)}…'`);
    expect(shellQuote(['echo', '🙂'.repeat(10)], 5)).toBe(`echo '${'🙂'.repeat(4)}…'`);
  });
});
