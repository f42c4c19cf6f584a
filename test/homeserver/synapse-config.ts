// homeserver.yaml, log config and signing key for a throwaway Synapse.
// JSON is valid YAML, so the files are written as JSON and need no YAML library.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type SynapseFiles = {
  configPath: string;
  logPath: string;
};

export type SynapseConfigInput = {
  dataDir: string;
  port: number;
  serverName: string;
  baseUrl: string;
  sharedSecret: string;
  /** Shallow-merged over the generated config, for tests that need a server feature switched. */
  extraConfig?: Record<string, unknown>;
};

// Effectively unlimited; tests register, log in and send in bursts.
const UNLIMITED = { per_second: 10_000, burst_count: 100_000 };

export async function writeSynapseConfig(input: SynapseConfigInput): Promise<SynapseFiles> {
  const { dataDir } = input;
  const configPath = join(dataDir, 'homeserver.yaml');
  const logConfigPath = join(dataDir, 'log.config.yaml');
  const logPath = join(dataDir, 'homeserver.log');
  const signingKeyPath = join(dataDir, 'signing.key');

  await writeFile(signingKeyPath, signingKeyFile() + '\n', { mode: 0o600 });
  await writeFile(logConfigPath, JSON.stringify(logConfig(logPath), null, 2));

  const config: Record<string, unknown> = {
    server_name: input.serverName,
    public_baseurl: `${input.baseUrl}/`,
    pid_file: join(dataDir, 'homeserver.pid'),
    listeners: [
      {
        port: input.port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: join(dataDir, 'homeserver.db') } },
    log_config: logConfigPath,
    media_store_path: join(dataDir, 'media_store'),
    signing_key_path: signingKeyPath,
    registration_shared_secret: input.sharedSecret,
    macaroon_secret_key: randomBytes(32).toString('hex'),
    form_secret: randomBytes(32).toString('hex'),
    enable_registration: false,
    report_stats: false,
    enable_metrics: false,
    presence: { enabled: false },
    url_preview_enabled: false,
    // A closed world: no federation, no key servers.
    federation_domain_whitelist: [],
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    // Password hashing cost is irrelevant for throwaway accounts and dominates login time.
    bcrypt_rounds: 4,
    rc_message: UNLIMITED,
    rc_registration: UNLIMITED,
    rc_registration_token_validity: UNLIMITED,
    rc_login: { address: UNLIMITED, account: UNLIMITED, failed_attempts: UNLIMITED },
    rc_joins: { local: UNLIMITED, remote: UNLIMITED },
    rc_joins_per_room: UNLIMITED,
    rc_invites: { per_room: UNLIMITED, per_user: UNLIMITED, per_issuer: UNLIMITED },
    rc_third_party_invite: UNLIMITED,
    rc_3pid_validation: UNLIMITED,
    rc_admin_redaction: UNLIMITED,
    rc_key_requests: UNLIMITED,
    rc_media_create: UNLIMITED,
    rc_presence: { per_user: UNLIMITED },
    rc_delayed_event_mgmt: UNLIMITED,
    rc_room_creation: UNLIMITED,
    rc_reports: UNLIMITED,
    rc_user_directory: UNLIMITED,
    rc_profile: UNLIMITED,
    // Simplified Sliding Sync (MSC4186) is on by default in this version; stated so a
    // version bump that changes the default fails loudly in the homeserver test.
    experimental_features: { msc3575_enabled: true },
    ...input.extraConfig,
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return { configPath, logPath };
}

/** Synapse's signing key file: `ed25519 <key id> <unpadded base64 seed>`. */
function signingKeyFile(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new Error('ed25519 key export has no private part');
  const seed = Buffer.from(jwk.d, 'base64url').toString('base64').replace(/=+$/, '');
  const keyId = `a_${randomBytes(3)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
  return `ed25519 ${keyId} ${seed}`;
}

function logConfig(logPath: string): Record<string, unknown> {
  return {
    version: 1,
    formatters: {
      precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' },
    },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: logPath, encoding: 'utf8' },
    },
    root: { level: 'WARNING', handlers: ['file'] },
    disable_existing_loggers: false,
  };
}
