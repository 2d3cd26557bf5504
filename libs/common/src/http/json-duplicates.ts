/**
 * The first member name that appears twice in one JSON object of `text`, or null. JSON.parse
 * silently keeps the last of two equal names, so `{"role":"user","role":"admin"}` could mean one
 * thing to a proxy or a log and another to us: such bodies are refused instead. Assumes `text`
 * is otherwise well-formed; malformed input is left to the parser.
 */
export function firstDuplicateKey(text: string): string | null {
  // One entry per open container: the names seen (objects) or null (arrays).
  const open: (Set<string> | null)[] = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const end = endOfString(text, i);
      const names = open[open.length - 1];
      if (expectingName && names) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (names.has(name)) return name;
        names.add(name);
      }
      expectingName = false;
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectingName = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingName = open[open.length - 1] instanceof Set;
    }
  }
  return null;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
