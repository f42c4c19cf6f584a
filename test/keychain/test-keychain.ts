// Shared helpers for the keychain tier: a service name of its own and random accounts, so a run
// off Linux (against the real OS keychain) can never meet Tessera's own entries.
import { randomBytes } from 'node:crypto';
import { Entry } from '@napi-rs/keyring';
import { expect } from 'vitest';
import { EngineError } from '../../src-main/engine/errors.ts';
import type { ErrorCode } from '../../src-preload/contract.ts';

export const TEST_SERVICE = 'Tessera Test';

export function randomAccount(): string {
  return `@test-${randomBytes(6).toString('hex')}:example.org|DEVICE${randomBytes(4).toString('hex')}`;
}

/** A raw entry, to tamper with what the vault stored. */
export function rawEntry(account: string, purpose: 'database-key' | 'crypto-store-key'): Entry {
  return new Entry(TEST_SERVICE, `${account}|${purpose}`, { linux: { store: 'secret-service' } });
}

export async function engineErrorOf(promise: Promise<unknown>, code: ErrorCode): Promise<EngineError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  return error as EngineError;
}
