// The `tessera` command applies the organization's policy as the app does: a refused policy stops
// it (exit 1) before anything is opened, and a loaded one reaches the engine (single sign-on only,
// allowed homeservers, certificate pins). The policy comes from loadAdminPolicy with a fake file
// reader holding /etc/tessera/policy.json, as the real readers would read it.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCli } from '../../../src-main/engine/cli/cli-args.ts';
import { cliPolicy } from '../../../src-main/engine/cli/cli-policy.ts';
import { runCli, type CliIo } from '../../../src-main/engine/cli/cli-run.ts';
import { exitCodes } from '../../../src-main/engine/cli/exit-codes.ts';
import { certificatePin } from '../../../src-main/engine/http/certificate-pins.ts';
import { loadAdminPolicy } from '../../../src-main/policy/load-admin-policy.ts';
import { linuxPolicyPath } from '../../../src-main/policy/policy-files.ts';
import { selfSignedLocalhostCertificate } from '../../support/self-signed-certificate.ts';

const wrongPin = `sha256/${Buffer.alloc(32, 9).toString('base64')}`;
const cleanup: (() => unknown)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** loadAdminPolicy on Linux with `policy` as the machine's policy file (null: no file). */
function policyFile(policy: unknown) {
  const bytes = policy === null ? null : new TextEncoder().encode(JSON.stringify(policy));
  return () =>
    loadAdminPolicy('linux', {
      files: { readFile: async (file) => (file === linuxPolicyPath ? bytes : null) },
    });
}

function profile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-policy-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function run(argv: string[], loadPolicy: ReturnType<typeof policyFile>, profileDir = profile()) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (text) => (out.stdout += text),
    stderr: (text) => (out.stderr += text),
    readPassword: async () => 'not-the-password',
  };
  const code = await runCli(parseCli(argv), io, { profileDir, loadPolicy, waitMs: 5_000 });
  return { code, ...out, profileDir };
}

/** A loopback server that answers /versions like a homeserver, and counts the other requests. */
async function listen(server: Server): Promise<{ others: string[]; port: number }> {
  const others: string[] = [];
  server.on('request', (request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/_matrix/client/versions') {
      response.end(JSON.stringify({ versions: ['v1.11'] }));
      return;
    }
    others.push(request.url ?? '');
    response.statusCode = 404;
    response.end(JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'no' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return { others, port: (server.address() as AddressInfo).port };
}

describe('the CLI policy', () => {
  it('maps a loaded policy for the engine and passes its warnings on', async () => {
    const applied = await cliPolicy(
      policyFile({
        ssoOnly: true,
        sendTypingNotices: false,
        certificatePins: { 'matrix.example.org': [wrongPin] },
      }),
    );
    expect(applied).toMatchObject({
      kind: 'applied',
      policy: {
        passwordSignIn: false,
        lockedSettings: { sendTypingNotices: false },
        certificatePins: { 'matrix.example.org': [wrongPin] },
      },
    });
    expect(await cliPolicy(policyFile({ unknownKey: 1 }))).toMatchObject({
      kind: 'applied',
      warnings: [expect.stringContaining('unknownKey')],
    });
    expect(await cliPolicy(policyFile(null))).toMatchObject({ kind: 'applied', warnings: [] });
  });

  it('refuses what the app refuses, and a reader that fails outright', async () => {
    expect(await cliPolicy(policyFile({ allowedHomeservers: 'everything' }))).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('allowedHomeservers'),
    });
    expect(
      await cliPolicy(async () => {
        throw new Error('registry unavailable');
      }),
    ).toMatchObject({ kind: 'refused', message: expect.stringContaining('could not be read') });
  });
});

describe('tessera with a policy', () => {
  it('exits 1 with the reason for a refused policy, touching nothing', async () => {
    const refused = policyFile({ certificatePins: { 'matrix.example.org': ['not-a-pin'] } });
    const plain = await run(['whoami'], refused);
    expect(plain.code).toBe(exitCodes.failure);
    expect(plain.stderr).toMatch(/^tessera: Tessera cannot start: the policy set by your organization/);
    expect(plain.stderr).toContain('certificatePins');
    expect(plain.stderr).not.toContain('not-a-pin');
    expect(plain.stdout).toBe('');
    expect(readdirSync(plain.profileDir)).toEqual([]);

    const json = await run(
      ['--json', 'login', '--homeserver', 'https://matrix.example.org', '--user', 'a'],
      refused,
    );
    expect(json.code).toBe(exitCodes.failure);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('still prints the help whatever the policy', async () => {
    const help = await run(['--help'], policyFile({ strict: 'yes' }));
    expect(help.code).toBe(exitCodes.ok);
    expect(help.stdout).toMatch(/organization's policy/);
  });

  it('refuses password sign-in when the policy demands single sign-on, before any request', async () => {
    const server = await listen(createHttpServer());
    const result = await run(
      ['login', '--homeserver', `http://127.0.0.1:${server.port}`, '--user', '@a:localhost'],
      policyFile({ ssoOnly: true }),
    );
    expect(result.code).toBe(exitCodes.auth);
    expect(result.stderr).toContain('sign_in_method_not_allowed');
    expect(server.others).toEqual([]);
    expect(existsSync(path.join(result.profileDir, 'account'))).toBe(false);
  });

  it('refuses a homeserver the policy does not allow, before the password is sent', async () => {
    const server = await listen(createHttpServer());
    const result = await run(
      ['login', '--homeserver', `http://127.0.0.1:${server.port}`, '--user', '@a:localhost'],
      policyFile({ allowedHomeservers: ['matrix.example.org'] }),
    );
    expect(result.code).toBe(exitCodes.auth);
    expect(result.stderr).toContain('homeserver_not_allowed');
    expect(server.others).not.toContain('/_matrix/client/v3/login');
  });

  describe('certificate pins', () => {
    let certificate = '';
    let key = '';
    const trustedBefore = tls.getCACertificates('default');
    beforeAll(() => {
      ({ certificate, key } = selfSignedLocalhostCertificate());
      // This test process (only) trusts the loopback server's certificate, as a company CA
      // would be trusted, so what refuses the connection below is the pin alone.
      tls.setDefaultCACertificates([...trustedBefore, certificate]);
    });
    afterAll(() => tls.setDefaultCACertificates(trustedBefore));

    it('refuses a pinned homeserver whose key is not pinned: tls_failure, exit 4', async () => {
      const server = await listen(createHttpsServer({ key, cert: certificate }));
      const homeserver = `https://localhost:${server.port}`;
      const refused = await run(
        ['login', '--homeserver', homeserver, '--user', '@a:localhost'],
        policyFile({ certificatePins: { localhost: [wrongPin] } }),
      );
      expect(refused.code).toBe(exitCodes.network);
      expect(refused.stderr).toMatch(/policy pins.*\(tls_failure\)/);
      expect(server.others).toEqual([]);

      // With the right pin the same sign-in reaches the server (which has no /login here).
      const pinned = await run(
        ['login', '--homeserver', homeserver, '--user', '@a:localhost'],
        policyFile({ certificatePins: { localhost: [certificatePin(certificate)] } }),
      );
      expect(pinned.stderr).not.toContain('tls_failure');
      expect(server.others).toContain('/_matrix/client/v3/login');
    });
  });
});
