import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CliError } from './cli-errors';

export type ImportFormat = 'csv' | 'json';
export const IMPORT_FORMATS: ImportFormat[] = ['csv', 'json'];

/** One record of the file: its number (from 1, the CSV header not counted) and its fields. */
export interface ImportRecord {
  row: number;
  values: Record<string, unknown>;
  /** Why the record could not be read as a set of fields; reported as that row's problem. */
  malformed?: string;
}

export function formatOf(path: string, format?: ImportFormat): ImportFormat {
  if (format) return format;
  const extension = extname(path).slice(1).toLowerCase();
  if (extension === 'csv' || extension === 'json') return extension;
  throw new CliError(`cannot tell the format of ${path} from its extension: pass --format csv or --format json`);
}

/** Reads every record; a CSV header naming a column outside `fields` refuses the whole file (a typo would drop that column on every row). */
export function readImportFile(path: string, format: ImportFormat, fields: readonly string[]): ImportRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return format === 'json' ? jsonRecords(text) : csvRecords(text, fields);
}

/** An array of objects, or `{ "users": [...] }`. */
function jsonRecords(text: string): ImportRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the file is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new CliError('a JSON import is an array of user objects, or { "users": [ ... ] }');
  return list.map((values, index) =>
    values !== null && typeof values === 'object' && !Array.isArray(values)
      ? { row: index + 1, values: values as Record<string, unknown> }
      : { row: index + 1, values: {}, malformed: 'the entry is not an object' },
  );
}

/** RFC 4180: a header line, comma-separated fields, "quoted" fields may hold commas, quotes ("") and line breaks. */
function csvRecords(text: string, known: readonly string[]): ImportRecord[] {
  const [header, ...records] = parseCsv(text);
  if (!header || header.every((name) => !name.trim())) throw new CliError('the CSV file needs a header line naming the columns');
  const columns = header.map((name) => name.trim());
  const unknown = columns.filter((column) => !known.includes(column));
  if (unknown.length) throw new CliError(`unknown column(s) ${unknown.join(', ')}; the columns are ${known.join(', ')}`);
  // Numbered before blank lines are dropped, so row numbers match the file.
  const numbered = records.map((fields, index) => ({ row: index + 1, fields }));
  return numbered
    .filter(({ fields }) => fields.some((field) => field.trim() !== ''))
    .map(({ row, fields }) => csvRecord(row, fields, columns));
}

function csvRecord(row: number, fields: string[], columns: string[]): ImportRecord {
  if (fields.length > columns.length) return { row, values: {}, malformed: `${fields.length} fields for ${columns.length} columns` };
  // An empty cell is an absent value.
  const values = Object.fromEntries(columns.flatMap((column, at) => (fields[at]?.trim() ? [[column, fields[at].trim()]] : [])));
  return { row, values };
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[at + 1] === '"') field += text[++at];
      else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') endField();
    else if (char === '\n') endRow();
    else if (char === '\r') {
      if (text[at + 1] === '\n') at++;
      endRow();
    } else field += char;
  }
  if (quoted) throw new CliError('the CSV file ends inside a quoted field (a " is missing)');
  if (field !== '' || row.length) endRow();
  return rows;
}
