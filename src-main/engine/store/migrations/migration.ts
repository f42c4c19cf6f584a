import type { SqliteConnection } from '../sqlite-driver.ts';

/** One step of the schema. `up` runs inside the runner's transaction; it must not commit. */
export interface Migration {
  /** 1, 2, 3, ... in order, with no gaps; recorded as the database's user_version. */
  readonly version: number;
  readonly name: string;
  up(db: SqliteConnection): void;
}
