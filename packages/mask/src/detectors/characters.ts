/** Character-code tests the hand-written scanners share. Out-of-range reads (`NaN`) are never anything. */

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122;
}

export function isUpperLetter(code: number): boolean {
  return code >= 65 && code <= 90;
}

export function isLowerLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

export function isHexDigit(code: number): boolean {
  const lower = code | 0x20;
  return isDigit(code) || (lower >= 97 && lower <= 102);
}

/** `[A-Za-z0-9_]`: what `\w` means, and what must not touch a finding's ends. */
export function isWordChar(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code) || code === 95;
}

/** The digits of `text`, in order: what a checksum runs over. */
export function digitsOf(text: string): string {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    if (isDigit(text.charCodeAt(i))) digits += text[i];
  }
  return digits;
}
