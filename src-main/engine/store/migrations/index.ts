// Every migration, in order. Append only: a released migration is never edited, only followed.
import { initialSchema } from './001-initial-schema.ts';
import type { Migration } from './migration.ts';

export const migrations: readonly Migration[] = [initialSchema];
