// Static checks for Electron misconfigurations, run in CI by scripts/lint-electron.ts (npm run
// lint:electron). They stand in for @doyensec/electronegativity, which is unmaintained (last
// release 1.10.3 in 2022), bundles TypeScript 4.2 and ESLint 7, and crashes offline on Node 24
// (it fetches Electron's release list at every run). Each rule looks at the TypeScript syntax
// tree of the shell's sources (src-main, src-preload) and names the file and line of a finding.
import ts from 'typescript';

export interface Finding {
  rule: string;
  file: string;
  line: number;
  message: string;
}

/** webPreferences and scheme privileges whose value must be a literal of the safe kind. */
const requiredLiterals: Readonly<Record<string, boolean>> = {
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  contextIsolation: true,
  sandbox: true,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  enableRemoteModule: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  plugins: false,
};

/** Options that must not be set at all. */
const forbiddenOptions = new Set([
  'enableBlinkFeatures',
  'blinkFeatures',
  'additionalArguments',
  'allowpopups',
]);

/** Calls that weaken the renderer or run code in it; none belongs in Tessera's shell. */
const forbiddenCalls = new Set([
  'executeJavaScript',
  'executeJavaScriptInIsolatedWorld',
  'insertCSS',
  'openDevTools',
  'registerFileProtocol',
  'registerHttpProtocol',
  'registerBufferProtocol',
  'registerStringProtocol',
  'registerStreamProtocol',
  'interceptFileProtocol',
  'interceptHttpProtocol',
  'interceptBufferProtocol',
  'interceptStringProtocol',
  'interceptStreamProtocol',
  'setBypassCSP',
  'disableHardwareAcceleration',
]);

/** Chromium switches that turn security off. */
const forbiddenSwitches = [
  'no-sandbox',
  'disable-web-security',
  'ignore-certificate-errors',
  'allow-running-insecure-content',
  'disable-site-isolation-trials',
  'remote-debugging-port',
  'inspect',
];

/** Calls allowed only in the one module that owns the concern (paths relative to the repo). */
const ownedCalls: ReadonlyArray<{ names: string[]; owner: string; rule: string; why: string }> = [
  {
    names: ['openExternal'],
    owner: 'src-main/external-links.ts',
    rule: 'open-external',
    why: 'links leave Tessera only through external-links.ts, which allows http, https and mailto',
  },
  {
    names: ['setPermissionRequestHandler', 'setPermissionCheckHandler', 'setWindowOpenHandler'],
    owner: 'src-main/security.ts',
    rule: 'security-handler',
    why: 'permission and window-open handlers live in security.ts',
  },
  {
    names: ['setCertificateVerifyProc'],
    owner: 'src-main/certificate-policy.ts',
    rule: 'certificate-override',
    why: 'certificate verification is changed only by certificate-policy.ts (pins)',
  },
];

const ipcMainMethods = new Set(['on', 'once', 'handle', 'handleOnce', 'addListener']);

function literalBoolean(node: ts.Expression): boolean | undefined {
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

function calledName(call: ts.CallExpression): { name: string; object?: string } | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return { name: callee.text };
  if (ts.isPropertyAccessExpression(callee)) {
    const object = callee.expression;
    return {
      name: callee.name.text,
      ...(ts.isIdentifier(object)
        ? { object: object.text }
        : ts.isPropertyAccessExpression(object)
          ? { object: object.name.text }
          : {}),
    };
  }
  return undefined;
}

/** Scans one file; `file` is its path relative to the repository root, with forward slashes. */
export function scanSource(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, rule: string, message: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    findings.push({ rule, file, line: line + 1, message });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node.name);
      if (name !== undefined && Object.hasOwn(requiredLiterals, name)) {
        const value = literalBoolean(node.initializer);
        if (value !== requiredLiterals[name]) {
          report(node, 'insecure-option', `${name} must be the literal ${String(requiredLiterals[name])}`);
        }
      }
      if (name !== undefined && forbiddenOptions.has(name)) {
        report(node, 'forbidden-option', `${name} must not be set`);
      }
      if (name === 'rejectUnauthorized' && literalBoolean(node.initializer) !== true) {
        report(node, 'certificate-override', 'rejectUnauthorized must stay true');
      }
      if (
        name === 'action' &&
        ts.isStringLiteralLike(node.initializer) &&
        node.initializer.text === 'allow'
      ) {
        report(node, 'window-open-allow', 'window.open must be denied (links open outside Tessera)');
      }
    }
    if (ts.isShorthandPropertyAssignment(node) && Object.hasOwn(requiredLiterals, node.name.text)) {
      report(node, 'insecure-option', `${node.name.text} must be a literal, not a variable`);
    }
    if (ts.isCallExpression(node)) {
      const called = calledName(node);
      if (called) {
        if (forbiddenCalls.has(called.name))
          report(node, 'forbidden-call', `${called.name}() weakens the renderer`);
        for (const owned of ownedCalls) {
          if (owned.names.includes(called.name) && file !== owned.owner) report(node, owned.rule, owned.why);
        }
        if (
          called.object === 'ipcMain' &&
          ipcMainMethods.has(called.name) &&
          file !== 'src-main/ipc-binding.ts'
        ) {
          report(
            node,
            'ipc-outside-router',
            'ipcMain handlers live in ipc-binding.ts, behind the sender check',
          );
        }
        if (called.name === 'eval') report(node, 'eval', 'eval() runs strings as code');
        if (called.name === 'appendSwitch' || called.name === 'appendArgument') {
          const first = node.arguments[0];
          if (
            first &&
            ts.isStringLiteralLike(first) &&
            forbiddenSwitches.includes(first.text.replace(/^--/, ''))
          ) {
            report(node, 'insecure-switch', `the ${first.text} switch turns a protection off`);
          }
        }
      }
    }
    if (ts.isNewExpression(node)) {
      if (ts.isIdentifier(node.expression) && node.expression.text === 'Function') {
        report(node, 'eval', 'new Function() runs strings as code');
      }
      const name = ts.isIdentifier(node.expression) ? node.expression.text : '';
      if (/BrowserWindow|BrowserView|WebContentsView/.test(name) && file !== 'src-main/window.ts') {
        report(
          node,
          'window-outside-window-ts',
          'windows are created only by window.ts, with its webPreferences',
        );
      }
    }
    if (ts.isStringLiteralLike(node)) {
      if (node.text === 'certificate-error' && file !== 'src-main/security.ts') {
        report(node, 'certificate-override', 'certificate errors are handled (refused) only in security.ts');
      }
      if (node.text === 'NODE_TLS_REJECT_UNAUTHORIZED') {
        report(node, 'certificate-override', 'NODE_TLS_REJECT_UNAUTHORIZED turns certificate checks off');
      }
      if (node.text === '@electron/remote' || node.text === 'electron/remote') {
        report(node, 'remote-module', 'the remote module gives the renderer main-process objects');
      }
    }
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text === 'electron'
    ) {
      const typeOnly = node.importClause?.isTypeOnly === true;
      if (!typeOnly && file !== 'src-main/main.ts' && file !== 'src-preload/preload.ts') {
        report(
          node,
          'electron-import',
          'only main.ts and preload.ts import electron; others take it as a parameter',
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Checks of the whole shell that no single file shows: the CSP. */
export function scanContentSecurityPolicy(policy: string): Finding[] {
  const findings: Finding[] = [];
  const file = 'src-main/content-security-policy.ts';
  const directives = new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  const add = (message: string) => findings.push({ rule: 'csp', file, line: 1, message });
  if (directives.get('default-src')?.join(' ') !== "'none'") add("default-src must be 'none'");
  for (const [name, values] of directives) {
    for (const value of values) {
      if (
        [
          "'unsafe-inline'",
          "'unsafe-eval'",
          "'unsafe-hashes'",
          '*',
          'data:',
          'http:',
          'https:',
          'file:',
        ].includes(value)
      ) {
        add(`${name} allows ${value}`);
      }
    }
  }
  for (const required of [
    'script-src',
    'object-src',
    'base-uri',
    'frame-ancestors',
    'form-action',
    'connect-src',
  ]) {
    if (!directives.has(required)) add(`${required} is missing`);
  }
  return findings;
}

export interface Suppression {
  rule: string;
  file: string;
  /** Why this finding is accepted; required. */
  reason: string;
}

export function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): Finding[] {
  return findings.filter(
    (finding) =>
      !suppressions.some((s) => s.rule === finding.rule && s.file === finding.file && s.reason.trim() !== ''),
  );
}
