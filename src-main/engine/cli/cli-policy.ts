// The organization's policy for the `tessera` command: the same machine policy the app applies
// (allowed homeservers, single sign-on only, no passphrase fallback, locked settings, certificate
// pins), so a script cannot do what the app may not. A policy the app would refuse to start with
// stops the command too.
import type { PolicyOutcome } from '../../policy/load-admin-policy.ts';
import { describeIssue } from '../../policy/load-admin-policy.ts';
import { enginePolicyFromAdminPolicy } from '../../policy/policy-rules.ts';
import type { EnginePolicy } from '../protocol.ts';

export type CliPolicy =
  { kind: 'applied'; policy: EnginePolicy; warnings: string[] } | { kind: 'refused'; message: string };

/** Loads the policy with `load` (loadAdminPolicy with the system's readers, or a test's). */
export async function cliPolicy(load: () => Promise<PolicyOutcome>): Promise<CliPolicy> {
  let outcome: PolicyOutcome;
  try {
    outcome = await load();
  } catch (error) {
    // loadAdminPolicy reports what it can read; anything thrown is a reader that failed outright,
    // and running without a policy that may hold pins or a homeserver list is running unprotected.
    const why = error instanceof Error ? error.message : String(error);
    return {
      kind: 'refused',
      message: `Tessera cannot start: the policy set by your organization could not be read (${why}). Ask your IT department.`,
    };
  }
  if (outcome.kind === 'refused') return { kind: 'refused', message: outcome.message };
  return {
    kind: 'applied',
    policy: enginePolicyFromAdminPolicy(outcome.policy),
    warnings: outcome.issues.map((issue) => `policy: ${describeIssue(issue)}`),
  };
}
