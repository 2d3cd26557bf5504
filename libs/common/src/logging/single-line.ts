const LINE_BREAKS = /[\r\n\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Writes every line break in a text as a visible escape. */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKS, (char) => ESCAPES[char]);
}
