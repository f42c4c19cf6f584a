// The organization's policy on each platform: reading, precedence, locking, and every kind of
// malformed or hostile input (rejected by name; Tessera falls back to safe defaults or refuses).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBinary, build as buildXml } from 'plist';
import { describe, expect, it } from 'vitest';
import { loadAdminPolicy } from '../../src-main/policy/load-admin-policy.ts';
import type { LoadedPolicy, PolicyOutcome, RefusedPolicy } from '../../src-main/policy/load-admin-policy.ts';
import {
  linuxPolicyPath,
  macMachinePolicyPath,
  macUserPolicyPath,
  maxPolicyFileBytes,
  policyFromJson,
} from '../../src-main/policy/policy-files.ts';
import type { PolicyFileReader } from '../../src-main/policy/policy-files.ts';
import {
  devToolsAllowed,
  effectiveSetting,
  enginePolicyFromAdminPolicy,
  isHomeserverAllowed,
  lockedAccountSettingNames,
  lockedAccountSettings,
  passphraseKeyFallbackAllowed,
  shellSecurityFromPolicy,
} from '../../src-main/policy/policy-rules.ts';
import { pinsForHost } from '../../src-main/engine/http/certificate-pins.ts';
import {
  createSystemFileReader,
  registryValueFromRegExe,
} from '../../src-main/policy/system-policy-readers.ts';
import { dword, fakeFiles, fakeRegistry, multiSz, pinA, pinB, sz } from './policy-fakes.ts';

const linux = (json: string | Uint8Array | Error) =>
  loadAdminPolicy('linux', { files: fakeFiles({ [linuxPolicyPath]: json }) });

function loaded(outcome: PolicyOutcome): LoadedPolicy {
  if (outcome.kind !== 'loaded') throw new Error(`expected a loaded policy, got: ${outcome.message}`);
  return outcome;
}

function refused(outcome: PolicyOutcome): RefusedPolicy {
  if (outcome.kind !== 'refused') throw new Error('expected Tessera to refuse the policy');
  return outcome;
}

describe('no policy', () => {
  it('runs with no managed key on each platform', async () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const outcome = loaded(
        await loadAdminPolicy(platform, {
          files: fakeFiles({}),
          registry: fakeRegistry({}),
          userName: 'alice',
        }),
      );
      expect(outcome.policy).toEqual({});
      expect(outcome.locked).toEqual([]);
      expect(outcome.issues).toEqual([]);
    }
  });
});

describe('Linux: /etc/tessera/policy.json', () => {
  it('reads every key and locks them', async () => {
    const outcome = loaded(
      await linux(
        JSON.stringify({
          defaultHomeserver: 'https://matrix.example.org',
          allowedHomeservers: ['matrix.example.org', 'chat.example.org:8448'],
          ssoOnly: false,
          autoUpdate: true,
          updateUrl: 'https://updates.example.org/tessera/',
          autoInstallUpdates: false,
          allowPassphraseKeyFallback: false,
          certificatePins: { 'matrix.example.org': [pinA, pinB] },
          allowDevTools: false,
          notificationMessagePreviews: false,
          sendTypingNotices: false,
          readReceipts: 'private',
          shareKeysWithCrossSignedOnly: true,
          strict: true,
        }),
      ),
    );
    expect(outcome.issues).toEqual([]);
    expect(outcome.sources).toEqual([linuxPolicyPath]);
    expect(outcome.locked).toHaveLength(13);
    expect(outcome.locked).not.toContain('strict');
    expect(isHomeserverAllowed(outcome.policy, 'https://matrix.example.org/')).toBe(true);
    expect(isHomeserverAllowed(outcome.policy, 'https://chat.example.org:8448')).toBe(true);
    expect(isHomeserverAllowed(outcome.policy, 'https://evil.example.net')).toBe(false);
    expect(isHomeserverAllowed(outcome.policy, 'https://chat.example.org')).toBe(false);
    expect(pinsForHost(outcome.policy.certificatePins ?? {}, 'Matrix.Example.org')).toEqual([pinA, pinB]);
    expect(pinsForHost(outcome.policy.certificatePins ?? {}, 'other.example.org')).toBeUndefined();
    expect(passphraseKeyFallbackAllowed(outcome.policy)).toBe(false);
    expect(lockedAccountSettings(outcome.policy)).toEqual({
      sendTypingNotices: false,
      readReceipts: 'private',
      shareKeysWithCrossSignedOnly: true,
      notificationPreviews: false,
    });
    expect(lockedAccountSettingNames(outcome.policy)).toEqual([
      'sendTypingNotices',
      'readReceipts',
      'shareKeysWithCrossSignedOnly',
      'notificationPreviews',
    ]);
  });

  it('devtools stay off in packaged builds unless the policy allows them', async () => {
    expect(devToolsAllowed({}, true)).toBe(false);
    expect(devToolsAllowed({}, false)).toBe(true);
    const outcome = loaded(await linux('{"allowDevTools": true}'));
    expect(devToolsAllowed(outcome.policy, true)).toBe(true);
  });
});

describe('bad input: the whole source', () => {
  it('refuses bad JSON, naming the file', async () => {
    const outcome = refused(await linux('{"allowDevTools": tru'));
    expect(outcome.message).toContain(linuxPolicyPath);
    expect(outcome.message).toContain('is not valid JSON');
  });

  it('refuses JSON that is not an object', async () => {
    for (const text of ['[]', '"allowDevTools"', 'null', '42']) {
      expect(refused(await linux(text)).message).toContain('must hold a JSON object');
    }
  });

  it('refuses a huge file without parsing it', async () => {
    const huge = `{"defaultHomeserver": "https://matrix.example.org", "x": "${'a'.repeat(maxPolicyFileBytes)}"}`;
    const outcome = refused(await linux(huge));
    expect(outcome.message).toContain(`larger than ${maxPolicyFileBytes} bytes`);
  });

  it('refuses a file that is not UTF-8', async () => {
    expect(refused(await linux(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).message).toContain('not UTF-8');
  });

  it('refuses a file that exists but cannot be read', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(refused(await linux(denied)).message).toContain('could not be read (EACCES)');
  });

  it('refuses a registry that cannot be read', async () => {
    const outcome = refused(
      await loadAdminPolicy('win32', {
        files: fakeFiles({}),
        registry: fakeRegistry({ HKLM: new Error('reg.exe exited 5') }),
      }),
    );
    expect(outcome.message).toContain('HKLM\\Software\\Policies\\Tessera could not be read');
  });

  it('refuses a plist that is neither binary nor XML', async () => {
    const outcome = refused(
      await loadAdminPolicy('darwin', { files: fakeFiles({ [macMachinePolicyPath]: 'bplist00garbage' }) }),
    );
    expect(outcome.message).toContain('is not a valid property list');
  });
});

describe('bad input: one key', () => {
  it('drops an unknown key with a warning naming it, and keeps the rest', async () => {
    const outcome = loaded(await linux('{"allowDevTool": true, "readReceipts": "private"}'));
    expect(outcome.policy).toEqual({ readReceipts: 'private' });
    expect(outcome.issues).toEqual([
      {
        source: linuxPolicyPath,
        field: 'allowDevTool',
        message: 'is not a Tessera policy key; ignored',
        security: false,
      },
    ]);
  });

  it('refuses an unknown key when the policy is strict', async () => {
    const outcome = refused(await linux('{"strict": true, "allowDevTool": true}'));
    expect(outcome.message).toContain('"allowDevTool" is not a Tessera policy key');
  });

  it('treats __proto__ and constructor as unknown keys, not as the policy object', async () => {
    const outcome = loaded(await linux('{"__proto__": {"allowDevTools": true}, "constructor": 1}'));
    expect(outcome.policy).toEqual({});
    expect(outcome.policy.allowDevTools).toBeUndefined();
    expect(outcome.issues.map((issue) => issue.field)).toEqual(['__proto__', 'constructor']);
  });

  it('drops a wrong type in a key that is not security-relevant (safe default)', async () => {
    const outcome = loaded(await linux('{"sendTypingNotices": "yes", "readReceipts": "everyone"}'));
    expect(outcome.policy).toEqual({});
    expect(outcome.issues.map((issue) => [issue.field, issue.security])).toEqual([
      ['sendTypingNotices', false],
      ['readReceipts', false],
    ]);
  });

  it('refuses a wrong type in a security-relevant key, naming it', async () => {
    const outcome = refused(await linux('{"allowDevTools": "false"}'));
    expect(outcome.message).toContain('"allowDevTools" Invalid input: expected boolean');
    expect(outcome.message).not.toContain('"false"');
  });

  it('refuses a non-https update URL', async () => {
    for (const url of [
      'http://updates.example.org/',
      'file:///tmp/feed',
      'https://user:pw@updates.example.org/',
      'not a url',
    ]) {
      const outcome = refused(await linux(JSON.stringify({ updateUrl: url })));
      expect(outcome.message).toContain('"updateUrl" must be an https:// URL');
      expect(outcome.message).not.toContain(url);
    }
  });

  it('drops a non-https default homeserver but keeps running', async () => {
    const outcome = loaded(await linux('{"defaultHomeserver": "http://matrix.example.org"}'));
    expect(outcome.policy).toEqual({});
    expect(outcome.issues[0]?.field).toBe('defaultHomeserver');
  });

  it('refuses bad certificate pins', async () => {
    const cases = [
      { 'matrix.example.org': ['sha1/+KtLgP86zvdbAv3BYyGXGdKRx6a+ouzLTxDDW3aQvoQ='] },
      { 'matrix.example.org': ['sha256/tooShort='] },
      { 'matrix.example.org': [] },
      { 'matrix.example.org': pinA },
      { 'Matrix.Example.ORG': [pinA] },
      { 'https://matrix.example.org': [pinA] },
      { 'matrix.example.org:443': [pinA] },
      {},
    ].map((pins) => JSON.stringify({ certificatePins: pins }));
    // JSON.parse makes "__proto__" an own key, which must be refused as a host like any other.
    cases.push(`{"certificatePins": {"__proto__": ["${pinA}"]}}`);
    for (const text of cases) {
      const outcome = refused(await linux(text));
      expect(outcome.message).toContain('"certificatePins"');
    }
  });

  it('refuses a bad allowed-homeserver list', async () => {
    for (const list of [
      [],
      'matrix.example.org',
      ['https://matrix.example.org'],
      ['matrix.example.org/path'],
      [42],
    ]) {
      const outcome = refused(await linux(JSON.stringify({ allowedHomeservers: list })));
      expect(outcome.message).toContain('"allowedHomeservers"');
    }
  });

  it('warns when the default homeserver is not allowed', async () => {
    const outcome = loaded(
      await linux(
        '{"defaultHomeserver": "https://other.example.org", "allowedHomeservers": ["matrix.example.org"]}',
      ),
    );
    expect(outcome.issues).toEqual([
      {
        source: 'policy',
        field: 'defaultHomeserver',
        message: 'is not one of allowedHomeservers',
        security: false,
      },
    ]);
  });
});

describe('Windows: HKLM and HKCU Software\\Policies\\Tessera', () => {
  const load = (values: Parameters<typeof fakeRegistry>[0]) =>
    loadAdminPolicy('win32', { files: fakeFiles({}), registry: fakeRegistry(values) });

  it('reads REG_SZ, REG_DWORD and REG_MULTI_SZ values (names case-insensitive)', async () => {
    const outcome = loaded(
      await load({
        HKLM: [
          sz('DefaultHomeserver', 'https://matrix.example.org'),
          multiSz('AllowedHomeservers', ['matrix.example.org']),
          dword('allowdevtools', 0),
          dword('AutoUpdate', 1),
          multiSz('CertificatePins', [`matrix.example.org=${pinA}`, `matrix.example.org=${pinB}`, '']),
          sz('ReadReceipts', 'private'),
        ],
      }),
    );
    expect(outcome.policy).toEqual({
      defaultHomeserver: 'https://matrix.example.org',
      allowedHomeservers: ['matrix.example.org'],
      allowDevTools: false,
      autoUpdate: true,
      certificatePins: { 'matrix.example.org': [pinA, pinB] },
      readReceipts: 'private',
    });
    expect(outcome.sources).toEqual(['HKLM']);
  });

  it('refuses a security value of the wrong registry type, naming it', async () => {
    const outcome = refused(await load({ HKLM: [sz('AllowDevTools', '1')] }));
    expect(outcome.message).toContain(
      'HKLM\\Software\\Policies\\Tessera: "AllowDevTools" must be REG_DWORD, but is REG_SZ',
    );
    const multi = refused(await load({ HKLM: [sz('AllowedHomeservers', 'matrix.example.org')] }));
    expect(multi.message).toContain('"AllowedHomeservers" must be REG_MULTI_SZ');
  });

  it('refuses a REG_DWORD other than 0 or 1 in a security key', async () => {
    expect(refused(await load({ HKLM: [dword('SsoOnly', 2)] })).message).toContain(
      '"SsoOnly" must be 0 or 1',
    );
  });

  it('drops a wrong type in a non-security value', async () => {
    const outcome = loaded(
      await load({ HKLM: [{ name: 'SendTypingNotices', type: 'REG_QWORD', value: 1 }] }),
    );
    expect(outcome.policy).toEqual({});
    expect(outcome.issues[0]?.message).toBe('must be REG_DWORD, but is REG_QWORD');
  });

  it('refuses a pin line without host=', async () => {
    const outcome = refused(await load({ HKLM: [multiSz('CertificatePins', [pinA])] }));
    expect(outcome.message).toContain('"CertificatePins" line 1 must be host=sha256/<base64>');
  });

  it('refuses a non-https update URL from the registry', async () => {
    const outcome = refused(await load({ HKCU: [sz('UpdateUrl', 'http://updates.example.org')] }));
    expect(outcome.message).toContain(
      'HKCU\\Software\\Policies\\Tessera: "UpdateUrl" must be an https:// URL',
    );
  });

  it('machine policy wins over user policy, key by key', async () => {
    const outcome = loaded(
      await load({
        HKLM: [dword('AllowDevTools', 0)],
        HKCU: [dword('AllowDevTools', 1), dword('SendTypingNotices', 0)],
      }),
    );
    expect(outcome.policy).toEqual({ allowDevTools: false, sendTypingNotices: false });
    expect(outcome.machine).toEqual({ allowDevTools: false });
    expect(outcome.user).toEqual({ allowDevTools: true, sendTypingNotices: false });
    expect(outcome.locked).toEqual(['allowDevTools', 'sendTypingNotices']);
  });

  it('turns reg.exe output into typed values', () => {
    expect(registryValueFromRegExe({ name: 'AutoUpdate', type: 'REG_DWORD', value: '0x1' })).toEqual(
      dword('AutoUpdate', 1),
    );
    expect(registryValueFromRegExe({ name: 'L', type: 'REG_MULTI_SZ', value: 'a.org\\0b.org' })).toEqual(
      multiSz('L', ['a.org', 'b.org']),
    );
    expect(registryValueFromRegExe({ name: 'S', type: 'REG_SZ', value: 'x y' })).toEqual(sz('S', 'x y'));
  });
});

describe('macOS: managed preferences', () => {
  const userPath = macUserPolicyPath('alice') as string;

  it('reads binary and XML plists, machine over user', async () => {
    const outcome = loaded(
      await loadAdminPolicy('darwin', {
        userName: 'alice',
        files: fakeFiles({
          [macMachinePolicyPath]: buildBinary({
            allowDevTools: false,
            certificatePins: { 'matrix.example.org': [pinA] },
          }),
          [userPath]: buildXml({ allowDevTools: true, readReceipts: 'private', PayloadUUID: 'E9A7137F' }),
        }),
      }),
    );
    expect(outcome.policy).toEqual({
      allowDevTools: false,
      certificatePins: { 'matrix.example.org': [pinA] },
      readReceipts: 'private',
    });
    expect(outcome.issues).toEqual([]);
  });

  it('refuses a plist value of the wrong type in a security key', async () => {
    const outcome = refused(
      await loadAdminPolicy('darwin', {
        files: fakeFiles({ [macMachinePolicyPath]: buildBinary({ ssoOnly: 1 }) }),
      }),
    );
    expect(outcome.message).toContain(`${macMachinePolicyPath}: "ssoOnly"`);
  });

  it('refuses a plist whose root is not a dictionary', async () => {
    const outcome = refused(
      await loadAdminPolicy('darwin', {
        files: fakeFiles({ [macMachinePolicyPath]: buildXml(['allowDevTools']) }),
      }),
    );
    expect(outcome.message).toContain('must hold a dictionary');
  });

  it('never builds a per-user path from a user name that walks out of the folder', async () => {
    expect(macUserPolicyPath('../../etc')).toBeNull();
    expect(macUserPolicyPath('..')).toBeNull();
    const files = fakeFiles({});
    loaded(await loadAdminPolicy('darwin', { files, userName: '../x' }));
    expect(files.reads).toEqual([macMachinePolicyPath]);
  });
});

describe('precedence: machine policy > user policy > user setting > default', () => {
  const fallback = true;

  it('takes each layer in order, and only policy layers lock', () => {
    expect(
      effectiveSetting('sendTypingNotices', {
        machine: { sendTypingNotices: false },
        user: { sendTypingNotices: true },
        userSetting: true,
        fallback,
      }),
    ).toEqual({ value: false, origin: 'machine-policy', locked: true });
    expect(
      effectiveSetting('sendTypingNotices', {
        machine: {},
        user: { sendTypingNotices: false },
        userSetting: true,
        fallback,
      }),
    ).toEqual({ value: false, origin: 'user-policy', locked: true });
    expect(
      effectiveSetting('sendTypingNotices', { machine: {}, user: {}, userSetting: false, fallback }),
    ).toEqual({
      value: false,
      origin: 'user-setting',
      locked: false,
    });
    expect(
      effectiveSetting('sendTypingNotices', { machine: {}, user: {}, userSetting: undefined, fallback }),
    ).toEqual({
      value: true,
      origin: 'default',
      locked: false,
    });
  });
});

describe('the real file reader', () => {
  const uid = process.getuid?.() ?? 0;

  async function withFile(mode: number, run: (file: string) => Promise<void>) {
    const dir = await mkdtemp(path.join(tmpdir(), 'tessera-policy-'));
    const file = path.join(dir, 'policy.json');
    try {
      await writeFile(file, '{"allowDevTools": false}');
      await chmod(file, mode);
      await run(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('reads a file owned by a trusted user and writable by its owner only', async () => {
    await withFile(0o644, async (file) => {
      const reader = createSystemFileReader({ trustedOwnerUids: [uid], platform: 'linux' });
      expect(
        policyFromJson(file, (await reader.readFile(file, maxPolicyFileBytes)) as Uint8Array).policy,
      ).toEqual({
        allowDevTools: false,
      });
      expect(await reader.readFile(`${file}.absent`, maxPolicyFileBytes)).toBeNull();
    });
  });

  it('refuses a policy file others may write', async () => {
    await withFile(0o666, async (file) => {
      const reader = createSystemFileReader({ trustedOwnerUids: [uid], platform: 'linux' });
      const outcome = refused(await readJsonPolicyOutcome(reader, file));
      expect(outcome.message).toContain(`${linuxPolicyPath} may be written by users other than its owner`);
    });
  });

  it('refuses a policy file owned by someone else', async () => {
    await withFile(0o644, async (file) => {
      const reader = createSystemFileReader({ trustedOwnerUids: [uid + 1], platform: 'linux' });
      expect(refused(await readJsonPolicyOutcome(reader, file)).message).toContain(
        `${linuxPolicyPath} is not owned by root`,
      );
    });
  });

  it('reads at most one byte past the limit', async () => {
    await withFile(0o644, async (file) => {
      await writeFile(file, 'x'.repeat(100));
      const reader = createSystemFileReader({ trustedOwnerUids: [uid], platform: 'linux' });
      expect((await reader.readFile(file, 10))?.byteLength).toBe(11);
    });
  });
});

/** The loader's verdict on one JSON file read by `reader` (as if it were /etc/tessera/policy.json). */
async function readJsonPolicyOutcome(reader: PolicyFileReader, file: string): Promise<PolicyOutcome> {
  return loadAdminPolicy('linux', {
    files: {
      readFile: (requested, maxBytes) =>
        reader.readFile(requested === linuxPolicyPath ? file : requested, maxBytes),
    },
  });
}

describe('what the shell and the engine receive', () => {
  it('turns a policy into plain options', () => {
    const policy = {
      allowDevTools: true,
      certificatePins: { 'matrix.example.org': [pinA] },
      allowedHomeservers: ['matrix.example.org'],
      ssoOnly: true,
      allowPassphraseKeyFallback: false,
      readReceipts: 'private' as const,
    };
    expect(shellSecurityFromPolicy(policy, true)).toEqual({
      devtools: true,
      certificatePins: { 'matrix.example.org': [pinA] },
    });
    expect(shellSecurityFromPolicy({}, true)).toEqual({ devtools: false });
    expect(enginePolicyFromAdminPolicy(policy)).toEqual({
      allowedHomeservers: ['matrix.example.org'],
      passwordSignIn: false,
      passphraseKeyFallback: false,
      certificatePins: { 'matrix.example.org': [pinA] },
      lockedSettings: { readReceipts: 'private' },
    });
    expect(enginePolicyFromAdminPolicy({})).toEqual({
      passwordSignIn: true,
      passphraseKeyFallback: true,
      lockedSettings: {},
    });
  });
});

describe('messages about hostile input', () => {
  it('escapes and cuts key names so they cannot forge log lines', async () => {
    const outcome = refused(
      await linux(JSON.stringify({ strict: true, [`evil\n[main] forged line ${'x'.repeat(200)}`]: 1 })),
    );
    expect(outcome.message).not.toContain('\n');
    expect(outcome.message).toContain('"evil\\n[main] forged line');
    expect(outcome.message.length).toBeLessThan(400);
    const pins = refused(await linux(JSON.stringify({ certificatePins: { 'bad\nhost': [pinA] } })));
    expect(pins.message).not.toContain('\n');
  });
});
