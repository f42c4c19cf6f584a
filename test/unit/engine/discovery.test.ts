import { describe, expect, it } from 'vitest';
import {
  discoverHomeserver,
  isLoopbackHost,
  parseHomeserverInput,
} from '../../../src-main/engine/auth/discovery.ts';

function fakeFetch(routes: Record<string, { status: number; body: unknown }>): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0]) => {
    const url = String(input);
    const route = routes[url];
    if (!route) return new Response('not found', { status: 404 });
    return new Response(typeof route.body === 'string' ? route.body : JSON.stringify(route.body), {
      status: route.status,
    });
  }) as typeof fetch;
}

describe('homeserver input', () => {
  it('reads bare server names, choosing http only for this computer', () => {
    expect(parseHomeserverInput('example.org')).toMatchObject({ bareServer: true });
    expect(parseHomeserverInput('example.org').url.href).toBe('https://example.org/');
    expect(parseHomeserverInput('localhost:8008').url.href).toBe('http://localhost:8008/');
    expect(parseHomeserverInput('https://matrix.example.org/prefix/').url.pathname).toBe('/prefix');
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.example.org')).toBe(false);
  });
});

describe('discovery', () => {
  const versions = {
    status: 200,
    body: { versions: ['v1.11'], unstable_features: { 'org.matrix.simplified_msc3575': true } },
  };

  it('follows .well-known to the advertised base URL', async () => {
    const homeserver = await discoverHomeserver('example.org', undefined, {
      fetch: fakeFetch({
        'https://example.org/.well-known/matrix/client': {
          status: 200,
          body: { 'm.homeserver': { base_url: 'https://matrix.example.org/' } },
        },
        'https://matrix.example.org/_matrix/client/versions': versions,
      }),
    });
    expect(homeserver.baseUrl.href).toBe('https://matrix.example.org/');
    expect(homeserver.unstableFeatures['org.matrix.simplified_msc3575']).toBe(true);
  });

  it('uses the server itself when there is no .well-known', async () => {
    const homeserver = await discoverHomeserver('', 'example.org', {
      fetch: fakeFetch({ 'https://example.org/_matrix/client/versions': versions }),
    });
    expect(homeserver.baseUrl.origin).toBe('https://example.org');
  });

  it('fails clearly when .well-known names an invalid URL', async () => {
    await expect(
      discoverHomeserver('example.org', undefined, {
        fetch: fakeFetch({
          'https://example.org/.well-known/matrix/client': {
            status: 200,
            body: { 'm.homeserver': { base_url: 'not a url' } },
          },
        }),
      }),
    ).rejects.toMatchObject({ code: 'not_a_homeserver' });
  });

  it('refuses a .well-known that points to plain http elsewhere', async () => {
    await expect(
      discoverHomeserver('example.org', undefined, {
        fetch: fakeFetch({
          'https://example.org/.well-known/matrix/client': {
            status: 200,
            body: { 'm.homeserver': { base_url: 'http://evil.example' } },
          },
        }),
      }),
    ).rejects.toMatchObject({ code: 'invalid_homeserver_url' });
  });
});
