/** Characters `partial` leaves in place so a masked value keeps its shape: `***-**-6789`, `****.***@*****.com`. */
const separators = new Set([' ', '-', '.', '@', '/', '(', ')', '+', ':', '_', ',']);

/**
 * Keeps the last `keep` characters (separators do not count), masks the others with `*` and leaves separators in
 * place. A value with no more than `keep` maskable characters is masked entirely: partial never returns a value
 * unmasked.
 *
 * @example
 * partial('123-45-6789') // '***-**-6789'
 * partial('4111 1111 1111 1111', 4) // '**** **** **** 1111'
 */
export function partial(value: string, keep = 4): string {
  const chars = Array.from(value);
  let maskable = 0;
  for (const char of chars) if (!separators.has(char)) maskable++;
  let toMask = maskable > keep ? maskable - keep : maskable;
  let out = '';
  for (const char of chars) {
    if (separators.has(char)) out += char;
    else if (toMask > 0) {
      out += '*';
      toMask--;
    } else out += char;
  }
  return out;
}
