import { accountsImport } from './accounts.import.ts';
import { bindingsImport } from './bindings.import.ts';
import { creditsImport } from './credits.import.ts';
import type { ImportDefinition, ImportKind } from './import-runner.ts';
import { institutionsImport } from './institutions.import.ts';
import { personsImport } from './persons.import.ts';
import { settlementsImport } from './settlements.import.ts';

/** Every file kind of SPEC 2; the mapped type makes a kind without a definition a compile error. */
export const IMPORTS: { [K in ImportKind]: ImportDefinition<string, unknown> } = {
  persons: personsImport,
  accounts: accountsImport,
  credits: creditsImport,
  bindings: bindingsImport,
  institutions: institutionsImport,
  settlements: settlementsImport,
};
