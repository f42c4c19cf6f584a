// Checks what one place (the registry, a plist, a JSON file) says, key by key, so one bad value
// does not hide the good ones; each problem names the place and the key. Deciding whether a
// problem stops Tessera is load-admin-policy.ts's job.
import type { z } from 'zod';
import { adminPolicySchema, isPolicyKey, policyKeyDefinitions } from './policy-schema.ts';
import type { AdminPolicy, PolicyKey } from './policy-schema.ts';

/** Where a policy came from, e.g. `HKLM\Software\Policies\Tessera` or `/etc/tessera/policy.json`. */
export type PolicySourceName = string;

export interface PolicyIssue {
  source: PolicySourceName;
  /** The key as the source spells it, or null when the whole source could not be read. */
  field: string | null;
  message: string;
  /** A bad security-relevant key, or an unreadable source that may have held one. */
  security: boolean;
}

export interface ValidatedSource {
  policy: AdminPolicy;
  issues: PolicyIssue[];
}

/** The first problem zod found, with the path inside the value (never the value itself). */
function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is not valid';
  // Path segments can be keys from the file (a pinned host): quoted and cut, so none forges a log line.
  const where =
    issue.path.length > 0
      ? ` (at ${issue.path
          .slice(0, 4)
          .map((segment) =>
            typeof segment === 'number' ? String(segment) : JSON.stringify(String(segment).slice(0, 60)),
          )
          .join('.')})`
      : '';
  return `${issue.message}${where}`;
}

/** zod's record drops a `__proto__` key silently (pins would vanish); find it before zod does. */
function hasProtoKey(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 4) return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  return Object.values(value).some((inner) => hasProtoKey(inner, depth + 1));
}

/** Values already in the schema's shapes (JSON, plist, or converted from the registry). */
export function validatePolicyObject(
  source: PolicySourceName,
  raw: Readonly<Record<string, unknown>>,
  fieldName: (key: PolicyKey) => string = (key) => key,
): ValidatedSource {
  const policy: Record<string, unknown> = {};
  const issues: PolicyIssue[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (!isPolicyKey(name)) {
      // Not a security matter by itself (a newer template on an older app); `strict` makes it one.
      issues.push({
        source,
        field: name.slice(0, 80),
        message: 'is not a Tessera policy key; ignored',
        security: false,
      });
      continue;
    }
    if (hasProtoKey(value)) {
      issues.push({
        source,
        field: fieldName(name),
        message: 'must not contain the key __proto__',
        security: policyKeyDefinitions[name].security,
      });
      continue;
    }
    const parsed = adminPolicySchema.shape[name].safeParse(value);
    if (parsed.success) {
      policy[name] = parsed.data;
    } else {
      issues.push({
        source,
        field: fieldName(name),
        message: describeZodError(parsed.error),
        security: policyKeyDefinitions[name].security,
      });
    }
  }
  // Every kept value passed its own schema; this checks the whole once more.
  return { policy: adminPolicySchema.parse(policy), issues };
}

/** A source that could not be read or parsed as a whole: it may have held security keys. */
export function unreadableSource(source: PolicySourceName, message: string): ValidatedSource {
  return { policy: {}, issues: [{ source, field: null, message, security: true }] };
}
