import { join } from 'node:path';
import { Command, CommandRunner, Help, Option } from 'nest-commander';
import {
  generateSigningKey,
  loadSessionsConfig,
  loadSigningKeys,
  SessionsConfig,
  SIGNING_ALGORITHMS,
  SigningAlgorithm,
} from '@identity/sessions';
import { CliError } from './cli-errors';

const ALGORITHMS: SigningAlgorithm[] = [...SIGNING_ALGORITHMS];

interface RotateKeysOptions {
  algorithm?: SigningAlgorithm;
}

@Command({
  name: 'rotate-keys',
  description: 'Add a new signing key to JWT_KEYS_DIR; it becomes the current key',
})
export class RotateKeysCommand extends CommandRunner {
  async run(_params: string[], options: RotateKeysOptions): Promise<void> {
    const config = loadSessionsConfig();
    if (config.privateKeyFile) {
      throw new CliError(
        'JWT_PRIVATE_KEY_FILE is set: the service uses that single key and never reads JWT_KEYS_DIR. ' +
          'Rotate by replacing the file and restarting, or unset it and use JWT_KEYS_DIR.',
      );
    }
    const algorithm = options.algorithm ?? config.algorithm;
    if (algorithm !== config.algorithm) assertSigningKeyStaysPublished(config, algorithm);
    const key = generateSigningKey(config.keysDir, algorithm);
    const lines = [
      `new ${key.algorithm} signing key`,
      `  kid:  ${key.kid}`,
      `  file: ${join(config.keysDir, `${key.createdAt}.pem`)}`,
      '',
      'JWKS publishes this key and the one before it, so tokens signed with the previous key stay valid.',
      'Running instances load it when they meet a token with an unknown kid (at most every 10 s) and',
      'keep signing with the previous key until then: restart them to sign with the new key now.',
    ];
    if (algorithm !== config.algorithm) {
      lines.push(
        '',
        `note: instances sign with their newest ${config.algorithm} key (JWT_ALGORITHM). This ${algorithm} key is`,
        `published for verification and signs once JWT_ALGORITHM=${algorithm} is set and instances restart.`,
      );
    }
    console.log(lines.join('\n'));
  }

  @Option({ flags: '--algorithm <algorithm>', description: 'key type (default: JWT_ALGORITHM)', choices: ALGORITHMS })
  parseAlgorithm(value: string): SigningAlgorithm {
    // nest-commander replaces commander's choices check with this parser, so check here.
    if (!ALGORITHMS.includes(value as SigningAlgorithm)) throw new CliError(`--algorithm must be one of ${ALGORITHMS.join(', ')}`);
    return value as SigningAlgorithm;
  }

  @Help('after')
  rotationHelp(): string {
    return `
The new key is written to JWT_KEYS_DIR (shared by every instance) and becomes the current key.
JWKS publishes the current key and the previous one. A running instance re-reads the directory
only when it meets a token whose kid it does not know, at most once every 10 s, and until it has
re-read it (or restarted) it keeps signing new tokens with the old key. So after rotating, restart
or roll the instances to sign with the new key promptly.

Tokens signed with the key before the previous one stop verifying, so leave at least
ACCESS_TOKEN_TTL between two rotations. Refused when JWT_PRIVATE_KEY_FILE is set (single-key mode).`;
  }
}

/**
 * Instances sign with their newest key of JWT_ALGORITHM, but JWKS publishes the two newest keys
 * of any type. If the newest key is already one nobody signs with, another such key would push
 * the key in use out of JWKS and every token it signs would stop verifying.
 */
function assertSigningKeyStaysPublished(config: SessionsConfig, algorithm: SigningAlgorithm): void {
  const newest = loadSigningKeys({ ...config, generateMissingKeys: false }).at(-1)!;
  if (newest.algorithm !== config.algorithm) {
    throw new CliError(
      `the newest key in ${config.keysDir} (${newest.algorithm}) is not the one instances sign with (JWT_ALGORITHM=${config.algorithm}); ` +
        `another ${algorithm} key would push the ${config.algorithm} key in use out of JWKS. ` +
        `Set JWT_ALGORITHM=${newest.algorithm} and restart the instances first.`,
    );
  }
}
