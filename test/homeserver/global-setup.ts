// vitest globalSetup for the integration tier: one Synapse for all its test files.
import type { TestProject } from 'vitest/node';
import { startSynapse, type HomeserverInfo } from './synapse.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    homeserver: HomeserverInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 24) {
    throw new Error(
      `The integration tests need Node 24 or newer; this is Node ${process.versions.node}. ` +
        'Put Node 24 first on PATH (see README).',
    );
  }
  const homeserver = await startSynapse();
  const info: HomeserverInfo = {
    baseUrl: homeserver.baseUrl,
    serverName: homeserver.serverName,
    sharedSecret: homeserver.sharedSecret,
  };
  project.provide('homeserver', info);
  return () => homeserver.stop();
}
