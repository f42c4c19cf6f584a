// Sign-in through the UI to a real Synapse, and the room list that follows (issue 2).
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { expect, signIn, test } from './fixtures.ts';

test('a wrong password shows an inline alert and no room list', async ({ page, homeserver, openTessera }) => {
  const alice = await registerUser(homeserver);
  await openTessera();

  await signIn(page, {
    homeserver: homeserver.baseUrl,
    user: alice.localpart,
    password: `${alice.password}-wrong`,
  });

  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  // The password does not outlive the attempt.
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toHaveCount(0);
});

test('signing in shows a room another user invited us to, and rooms that arrive later', async ({
  page,
  homeserver,
  openTessera,
}) => {
  const alice = await registerUser(homeserver);
  const bobAccount = await registerUser(homeserver, { displayName: 'Bob' });
  const bob = new MatrixPeer({
    baseUrl: homeserver.baseUrl,
    userId: bobAccount.userId,
    accessToken: bobAccount.accessToken,
  });
  await bob.createRoom({ name: 'Launch plans', invite: [alice.userId] });

  await openTessera();
  await signIn(page, { homeserver: homeserver.baseUrl, user: alice.localpart, password: alice.password });

  const rooms = page.getByRole('navigation', { name: 'Rooms' });
  const launchPlans = rooms.getByRole('listitem', { name: 'Launch plans' });
  await expect(launchPlans).toBeVisible();
  await expect(launchPlans).toContainText('Invite');
  await expect(page.getByText(alice.userId)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible();

  // A room created while signed in arrives through the live sync.
  await bob.createRoom({ name: 'Design review', invite: [alice.userId] });
  await expect(rooms.getByRole('listitem', { name: 'Design review' })).toBeVisible();

  // Signing out removes the local data, so it asks first.
  await page.getByRole('button', { name: 'Sign out' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Sign out and remove local data?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Sign out and remove' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Tessera' })).toBeVisible();
  await expect(rooms).toHaveCount(0);
});

test('the page loads under the app CSP without inline script or style', async ({
  page,
  openTessera,
  cspViolations,
}) => {
  const policies: string[] = [];
  page.on('response', (response) => {
    const policy = response.headers()['content-security-policy'];
    if (response.url().endsWith('/index.html') && policy) policies.push(policy);
  });
  await openTessera();

  await expect(page.getByRole('heading', { name: 'Sign in to Tessera' })).toBeVisible();
  // The external stylesheet applied (an inline one would have been refused).
  await expect(page.locator('body')).toHaveCSS('margin', '0px');
  expect(policies).toHaveLength(1);
  expect(policies[0]).toContain("script-src 'self'");
  expect(policies[0]).toContain("style-src 'self'");
  expect(policies[0]).not.toContain('unsafe-inline');
  // The one-time token does not stay in the address bar.
  expect(page.url()).not.toContain('token=');
  // No inline <script> or <style> in the document at all.
  await expect(page.locator('script:not([src])')).toHaveCount(0);
  await expect(page.locator('style')).toHaveCount(0);
  expect(cspViolations).toEqual([]);
});
