// The shape of one IndexedDB database (version, object stores, indexes), as the journal keeps
// it so a database can be recreated in memory before the crypto store opens it.
import { z } from 'zod';

const keyPathSchema = z.union([z.string(), z.array(z.string())]);

export const idbSchemaSchema = z.object({
  version: z.number().int().positive(),
  stores: z.array(
    z.object({
      name: z.string(),
      keyPath: keyPathSchema.nullable(),
      autoIncrement: z.boolean(),
      indexes: z.array(
        z.object({ name: z.string(), keyPath: keyPathSchema, unique: z.boolean(), multiEntry: z.boolean() }),
      ),
    }),
  ),
});

export type IdbSchema = z.infer<typeof idbSchemaSchema>;
export type StoreSchema = IdbSchema['stores'][number];

export function cloneSchema(schema: IdbSchema): IdbSchema {
  return structuredClone(schema);
}
