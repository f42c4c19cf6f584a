// Reads the organization's policy for this platform, machine-wide and per user, merges them
// (machine wins), and decides: run with it, or refuse to start. Tessera refuses when a
// security-relevant key is invalid or a policy source cannot be read at all (it may have held
// pins or a homeserver list, and running without them would be running unprotected), and when
// the policy sets `strict` and anything at all is wrong. Other problems drop only the bad key.
import {
  macMachinePolicyPath,
  macUserPolicyPath,
  linuxPolicyPath,
  readJsonPolicy,
  readPlistPolicy,
} from './policy-files.ts';
import type { PolicyFileReader } from './policy-files.ts';
import { adminPolicySchema, policyKeys } from './policy-schema.ts';
import type { AdminPolicy, PolicyKey } from './policy-schema.ts';
import type { PolicyIssue, ValidatedSource } from './policy-validation.ts';
import { readRegistryPolicy } from './windows-registry-policy.ts';
import type { RegistryReader } from './windows-registry-policy.ts';

export interface PolicyReaders {
  files: PolicyFileReader;
  /** Windows only. */
  registry?: RegistryReader;
  /** macOS: the login name, for the per-user managed preferences. */
  userName?: string;
}

export interface LoadedPolicy {
  kind: 'loaded';
  /** Machine and user policy merged, machine first. Absent keys are not managed. */
  policy: AdminPolicy;
  machine: AdminPolicy;
  user: AdminPolicy;
  /** Keys the organization fixes; the person cannot change them. */
  locked: PolicyKey[];
  /** Problems that were not serious enough to stop Tessera (the bad keys were dropped). */
  issues: PolicyIssue[];
  /** The places that held a policy, for the log. */
  sources: string[];
}

export interface RefusedPolicy {
  kind: 'refused';
  issues: PolicyIssue[];
  /** For the person and the log: names each source and key, never a value. */
  message: string;
}

export type PolicyOutcome = LoadedPolicy | RefusedPolicy;

interface Layer {
  source: string;
  validated: ValidatedSource;
}

async function readLayers(
  platform: NodeJS.Platform,
  readers: PolicyReaders,
): Promise<{ machine: Layer[]; user: Layer[] }> {
  const machine: Layer[] = [];
  const user: Layer[] = [];
  const add = (into: Layer[], source: string, validated: ValidatedSource | null) => {
    if (validated) into.push({ source, validated });
  };
  if (platform === 'win32') {
    if (!readers.registry) throw new Error('the Windows policy needs a registry reader');
    add(machine, 'HKLM', await readRegistryPolicy(readers.registry, 'HKLM'));
    add(user, 'HKCU', await readRegistryPolicy(readers.registry, 'HKCU'));
  } else if (platform === 'darwin') {
    add(machine, macMachinePolicyPath, await readPlistPolicy(readers.files, macMachinePolicyPath));
    const userPath = readers.userName === undefined ? null : macUserPolicyPath(readers.userName);
    if (userPath) add(user, userPath, await readPlistPolicy(readers.files, userPath));
  } else {
    // Linux and the other Unixes: one machine-wide file, writable by root only.
    add(machine, linuxPolicyPath, await readJsonPolicy(readers.files, linuxPolicyPath));
  }
  return { machine, user };
}

/** Each key from the first policy that sets it: machine policy before user policy. */
export function mergePolicies(...layers: readonly AdminPolicy[]): AdminPolicy {
  const merged: Record<string, unknown> = {};
  for (const key of policyKeys) {
    const layer = layers.find((policy) => policy[key] !== undefined);
    if (layer) merged[key] = layer[key];
  }
  return adminPolicySchema.parse(merged);
}

/** Cross-key checks that are advice, not refusals. */
function crossChecks(policy: AdminPolicy, source: string): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  if (policy.defaultHomeserver && policy.allowedHomeservers) {
    const host = new URL(policy.defaultHomeserver).host;
    if (!policy.allowedHomeservers.includes(host)) {
      issues.push({
        source,
        field: 'defaultHomeserver',
        message: 'is not one of allowedHomeservers',
        security: false,
      });
    }
  }
  if (
    policy.autoUpdate === false &&
    (policy.updateUrl !== undefined || policy.autoInstallUpdates !== undefined)
  ) {
    issues.push({
      source,
      field: 'autoUpdate',
      message: 'is off, so updateUrl and autoInstallUpdates have no effect',
      security: false,
    });
  }
  return issues;
}

/** One line for the person and the log; the field is quoted with escapes (it may come from a hostile file). */
export function describeIssue(issue: PolicyIssue): string {
  return issue.field === null
    ? `${issue.source} ${issue.message}`
    : `${issue.source}: ${JSON.stringify(issue.field)} ${issue.message}`;
}

export async function loadAdminPolicy(
  platform: NodeJS.Platform,
  readers: PolicyReaders,
): Promise<PolicyOutcome> {
  const layers = await readLayers(platform, readers);
  const machine = mergePolicies(...layers.machine.map((layer) => layer.validated.policy));
  const user = mergePolicies(...layers.user.map((layer) => layer.validated.policy));
  const policy = mergePolicies(machine, user);
  const all = [...layers.machine, ...layers.user];
  const issues = [...all.flatMap((layer) => layer.validated.issues), ...crossChecks(policy, 'policy')];

  const strict = policy.strict === true;
  const fatal = issues.filter((issue) => issue.security || strict);
  if (fatal.length > 0) {
    const listed = fatal.slice(0, 5).map(describeIssue).join('; ');
    const more = fatal.length > 5 ? ` (and ${fatal.length - 5} more)` : '';
    return {
      kind: 'refused',
      issues,
      message: `Tessera cannot start: the policy set by your organization is not valid. ${listed}${more}. Ask your IT department to correct it.`,
    };
  }
  return {
    kind: 'loaded',
    policy,
    machine,
    user,
    locked: lockedPolicyKeys(policy),
    issues,
    sources: all.map((layer) => layer.source),
  };
}

/** Every managed key except `strict`, which governs the policy itself. */
export function lockedPolicyKeys(policy: AdminPolicy): PolicyKey[] {
  return policyKeys.filter((key) => key !== 'strict' && policy[key] !== undefined);
}
