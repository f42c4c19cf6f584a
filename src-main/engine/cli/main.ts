#!/usr/bin/env node
// The `tessera` command: the engine in-process on the app's profile (same keychain and store).
// See cli-args.ts for the surface and the exit codes.
import os from 'node:os';
import { UsageError, parseCli, usage } from './cli-args.ts';
import { runCli } from './cli-run.ts';
import { exitCodes } from './exit-codes.ts';
import { appProfileFolder } from './profile-folder.ts';
import { loadAdminPolicy } from '../../policy/load-admin-policy.ts';
import { systemPolicyReaders } from '../../policy/system-policy-readers.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  for (const chunk of chunks) chunk.fill(0);
  // One trailing newline (from echo or a here-string) is not part of the password.
  return text.replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  let invocation;
  try {
    invocation = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tessera: ${error.message}\n\n${usage}`);
    return exitCodes.usage;
  }
  return runCli(
    invocation,
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      readPassword: async (fromStdin) => (fromStdin ? readStdin() : process.env.TESSERA_PASSWORD),
    },
    {
      profileDir: invocation.profileDir ?? appProfileFolder(process.platform, process.env, os.homedir()),
      // The machine's policy, exactly as the app reads it; there is no way to point it elsewhere.
      loadPolicy: () => loadAdminPolicy(process.platform, systemPolicyReaders(process.platform)),
    },
  );
}

main().then(
  (code) => {
    process.exitCode = code;
    // A connection the engine left half-closed must not keep a script waiting.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  () => {
    process.stderr.write('tessera: something went wrong inside Tessera\n');
    process.exitCode = exitCodes.failure;
  },
);
