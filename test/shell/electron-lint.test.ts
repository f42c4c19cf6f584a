// The static Electron checks (npm run lint:electron): each rule catches its misconfiguration,
// and Tessera's own shell has no finding.
import { describe, expect, it } from 'vitest';
import {
  applySuppressions,
  scanContentSecurityPolicy,
  scanSource,
} from '../../scripts/electron-lint-rules.ts';
import { lintElectron } from '../../scripts/lint-electron.ts';
import { contentSecurityPolicy } from '../../src-main/content-security-policy.ts';

const rulesOf = (file: string, text: string) => scanSource(file, text).map((finding) => finding.rule);

describe('electron lint rules', () => {
  it.each([
    ['nodeIntegration: true', 'insecure-option'],
    ['nodeIntegrationInWorker: true', 'insecure-option'],
    ['nodeIntegrationInSubFrames: true', 'insecure-option'],
    ['contextIsolation: false', 'insecure-option'],
    ['sandbox: false', 'insecure-option'],
    ['sandbox: isSafe', 'insecure-option'],
    ['webSecurity: false', 'insecure-option'],
    ['allowRunningInsecureContent: true', 'insecure-option'],
    ['experimentalFeatures: true', 'insecure-option'],
    ['webviewTag: true', 'insecure-option'],
    ['navigateOnDragDrop: true', 'insecure-option'],
    ['bypassCSP: true', 'insecure-option'],
    ['enableBlinkFeatures: "CSSVariables"', 'forbidden-option'],
    ['additionalArguments: ["--x"]', 'forbidden-option'],
    ['rejectUnauthorized: false', 'certificate-override'],
    ['action: "allow"', 'window-open-allow'],
  ])('flags { %s }', (property, rule) => {
    expect(rulesOf('src-main/x.ts', `export const options = { ${property} };`)).toContain(rule);
  });

  it('flags a shorthand security option (its value is not visible)', () => {
    expect(rulesOf('src-main/x.ts', 'const sandbox = true; export const o = { sandbox };')).toContain(
      'insecure-option',
    );
  });

  it.each([
    ['contents.executeJavaScript("1")', 'forbidden-call'],
    ['contents.insertCSS("x")', 'forbidden-call'],
    ['contents.openDevTools()', 'forbidden-call'],
    ['protocol.registerFileProtocol("x", h)', 'forbidden-call'],
    ['protocol.interceptHttpProtocol("x", h)', 'forbidden-call'],
    ['shell.openExternal(url)', 'open-external'],
    ['session.setPermissionRequestHandler(h)', 'security-handler'],
    ['contents.setWindowOpenHandler(h)', 'security-handler'],
    ['session.setCertificateVerifyProc(p)', 'certificate-override'],
    ['app.on("certificate-error", h)', 'certificate-override'],
    ['process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0"', 'certificate-override'],
    ['ipcMain.on("x", h)', 'ipc-outside-router'],
    ['electron.ipcMain.handle("x", h)', 'ipc-outside-router'],
    ['eval("1")', 'eval'],
    ['new Function("return 1")', 'eval'],
    ['app.commandLine.appendSwitch("no-sandbox")', 'insecure-switch'],
    ['app.commandLine.appendSwitch("--ignore-certificate-errors")', 'insecure-switch'],
    ['new BrowserWindow({})', 'window-outside-window-ts'],
    ['new WebContentsView({})', 'window-outside-window-ts'],
  ])('flags %s', (code, rule) => {
    expect(rulesOf('src-main/x.ts', `${code};`)).toContain(rule);
  });

  it('flags the remote module and value imports of electron outside the entries', () => {
    expect(rulesOf('src-main/x.ts', 'import remote from "@electron/remote";')).toContain('remote-module');
    expect(rulesOf('src-main/x.ts', 'import { app } from "electron";')).toContain('electron-import');
    expect(rulesOf('src-main/x.ts', 'import type { App } from "electron";')).toEqual([]);
    expect(rulesOf('src-main/main.ts', 'import * as electron from "electron";')).toEqual([]);
  });

  it('allows each owned call in its owner only', () => {
    expect(rulesOf('src-main/external-links.ts', 'shell.openExternal(url);')).toEqual([]);
    expect(rulesOf('src-main/security.ts', 'app.on("certificate-error", h);')).toEqual([]);
    expect(rulesOf('src-main/certificate-policy.ts', 'session.setCertificateVerifyProc(p);')).toEqual([]);
    expect(rulesOf('src-main/ipc-binding.ts', 'ipcMain.handle("x", h);')).toEqual([]);
    expect(rulesOf('src-main/window.ts', 'new BrowserWindowClass(options);')).toEqual([]);
  });

  it('accepts the safe literals', () => {
    expect(
      rulesOf(
        'src-main/x.ts',
        'export const o = { sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, bypassCSP: false, action: "deny" };',
      ),
    ).toEqual([]);
  });

  it.each([
    [
      "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'; connect-src 'none'",
      "default-src must be 'none'",
    ],
    [
      "default-src 'none'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'; connect-src 'none'",
      "script-src allows 'unsafe-inline'",
    ],
    [
      "default-src 'none'; script-src 'self'; img-src *; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'; connect-src 'none'",
      'img-src allows *',
    ],
    ["default-src 'none'; script-src 'self'", 'object-src is missing'],
  ])('flags the CSP %j', (policy, message) => {
    expect(scanContentSecurityPolicy(policy).map((finding) => finding.message)).toContain(message);
  });

  it('suppresses a finding only with a reason', () => {
    const findings = scanSource('src-main/x.ts', 'contents.openDevTools();');
    expect(
      applySuppressions(findings, [{ rule: 'forbidden-call', file: 'src-main/x.ts', reason: '' }]),
    ).toHaveLength(1);
    expect(
      applySuppressions(findings, [
        { rule: 'forbidden-call', file: 'src-main/x.ts', reason: 'debug builds only' },
      ]),
    ).toHaveLength(0);
  });
});

describe('Tessera’s shell', () => {
  it('has a CSP without findings', () => {
    expect(scanContentSecurityPolicy(contentSecurityPolicy)).toEqual([]);
  });

  it('has no Electron misconfiguration finding', () => {
    expect(lintElectron()).toEqual([]);
  });
});
