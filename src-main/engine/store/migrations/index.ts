// Every migration, in order. Append only: a released migration is never edited, only followed.
import { initialSchema } from './001-initial-schema.ts';
import { refreshTokenSchema } from './002-refresh-token.ts';
import { relationsSchema } from './003-relations.ts';
import { receiptsSchema } from './004-receipts.ts';
import { failedDecryptionIndex } from './005-failed-decryption-index.ts';
import type { Migration } from './migration.ts';

export const migrations: readonly Migration[] = [
  initialSchema,
  refreshTokenSchema,
  relationsSchema,
  receiptsSchema,
  failedDecryptionIndex,
];
