// The account databases this process has open, so removal can refuse a file still in use.
import { resolve } from 'node:path';

const open = new Set<string>();

export const openDatabases = {
  add(path: string): void {
    open.add(resolve(path));
  },
  delete(path: string): void {
    open.delete(resolve(path));
  },
  has(path: string): boolean {
    return open.has(resolve(path));
  },
};
