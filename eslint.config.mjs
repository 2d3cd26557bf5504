// Lint rules, including the dependency direction of DESIGN.md §2: providers and admin →
// auth-core → users, sessions, rbac, audit, otp, messaging, mfa → database → common; abuse (limits, lockouts) → common;
// metrics observes sessions and messaging and is named by the app only. A wrong-way import fails the build.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const LIBS = [
  'common',
  'database',
  'abuse',
  'users',
  'rbac',
  'sessions',
  'audit',
  'otp',
  'messaging',
  'mfa',
  'auth-core',
  'admin',
  'metrics',
];

/** Which @identity libraries each library may import. */
const ALLOWED = {
  common: [],
  database: ['common'],
  abuse: ['common'],
  users: ['common', 'database'],
  rbac: ['common', 'database', 'users'],
  sessions: ['common', 'database', 'users'],
  audit: ['common', 'database', 'users'],
  otp: ['common', 'database', 'abuse'],
  messaging: ['common', 'database'],
  mfa: ['common', 'database', 'abuse', 'messaging'],
  'auth-core': ['common', 'database', 'abuse', 'users', 'rbac', 'sessions', 'otp', 'messaging', 'mfa'],
  admin: ['common', 'database', 'abuse', 'users', 'rbac', 'sessions', 'audit', 'otp', 'messaging', 'mfa', 'auth-core'],
  metrics: ['common', 'database', 'sessions', 'messaging'],
};

const forbidden = (lib) => [
  ...LIBS.filter((other) => other !== lib && !ALLOWED[lib].includes(other)).map((other) => `@identity/${other}`),
  '@identity/auth-providers/*',
  '@identity/auth-core/testing',
];

const restrict = (group, message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group, message }] }] });

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'data/**', 'coverage/**', 'libs/database/src/migrations/*/1*.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...LIBS.map((lib) => ({
    files: [`libs/${lib}/src/**/*.ts`],
    rules: restrict([...forbidden(lib), '**/apps/**'], `libs/${lib} may only import @identity/{${ALLOWED[lib].join(',')}} (DESIGN.md §2)`),
  })),
  {
    files: ['libs/auth-providers/*/src/**/*.ts'],
    rules: restrict(
      ['@identity/auth-providers/*', '**/auth-providers/**', '**/apps/**'],
      'a provider never imports another provider or an app (DESIGN.md §3)',
    ),
  },
);
