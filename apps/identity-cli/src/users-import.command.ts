import { basename } from 'node:path';
import { Command, CommandRunner, Help, Option } from 'nest-commander';
import { CliError } from './cli-errors';
import { formatOf, IMPORT_FORMATS, ImportFormat, readImportFile } from './import-file';
import { IMPORT_FIELDS } from './import-row';
import { withServices } from './service-context';
import { RowOutcome, UserImporter } from './user-import';

interface UsersImportOptions {
  format?: ImportFormat;
  dryRun?: boolean;
}

function report(outcomes: RowOutcome[], dryRun: boolean): string {
  const lines = outcomes.filter((outcome) => outcome.reason).map((outcome) => `row ${outcome.row}: ${outcome.status}: ${outcome.reason}`);
  const count = (status: RowOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  const created = `${dryRun ? 'would create' : 'created'} ${count('created')}`;
  lines.push(`${created}, skipped ${count('existing')} existing, refused ${count('invalid')} invalid (of ${outcomes.length} rows)`);
  if (dryRun) lines.push('dry run: nothing was written');
  return lines.join('\n');
}

@Command({
  name: 'users:import',
  arguments: '<file>',
  description: 'Create password accounts from a CSV or JSON file of users with bcrypt or argon2 password hashes',
})
export class UsersImportCommand extends CommandRunner {
  async run([file]: string[], options: UsersImportOptions): Promise<void> {
    const format = formatOf(file, options.format);
    const records = readImportFile(file, format, IMPORT_FIELDS);
    const dryRun = Boolean(options.dryRun);
    const outcomes = await withServices(async (app) => {
      const importer = new UserImporter(app, dryRun);
      const done = await importer.importAll(records);
      if (!dryRun) await importer.audit({ file: basename(file), format, dryRun }, done);
      return done;
    });
    console.log(report(outcomes, dryRun));
    // Rows were still imported; the exit status tells a script that some need fixing.
    if (outcomes.some((outcome) => outcome.status === 'invalid')) process.exitCode = 1;
  }

  @Option({ flags: '--format <format>', description: 'csv or json (default: from the file extension)' })
  parseFormat(value: string): ImportFormat {
    if (!IMPORT_FORMATS.includes(value as ImportFormat)) throw new CliError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
    return value as ImportFormat;
  }

  @Option({ flags: '--dry-run', description: 'check every row and report what would happen; write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Help('after')
  importHelp(): string {
    return `
Fields (CSV header columns or JSON members): ${IMPORT_FIELDS.join(', ')}.
At least one of email, phone (E.164), username; displayName and passwordHash are required.
passwordHash: bcrypt ($2a$, $2b$, $2y$) or argon2 ($argon2id$, $argon2i$); it is replaced by an
argon2id hash with the configured parameters at the account's first sign-in.
emailVerified, phoneVerified: true/false. roles: existing role names, comma-separated (quoted in CSV).
Rows whose email, phone or username already exists are skipped, never overwritten, so a second
run of the same file creates nothing more. Invalid rows are listed with their row number (from 1,
the header not counted) and the exit status is 1; the other rows are still imported.`;
  }
}
