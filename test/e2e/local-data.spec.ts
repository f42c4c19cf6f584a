// The account's local data across restarts (issue 3): kept under a key in the system keychain,
// or under a passphrase the person chose when no keychain answered; and what the UI says when
// the data is locked or cannot be opened. Each harness is its own process, so a "restart" is
// a new engine on the same profile folder, and "no keychain" is a process whose D-Bus session
// bus address points at nothing.
import type { Page } from '@playwright/test';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { registerUser, type HomeserverInfo, type RegisteredUser } from '../homeserver/synapse.ts';
import { expect, filesUnder, noKeychainEnv, openIn, signIn, test } from './fixtures.ts';

const passphrase = 'correct horse battery staple';

/** Alice, with an invite from Bob waiting, so the room list has something to restore. */
async function aliceWithInvite(homeserver: HomeserverInfo) {
  const alice = await registerUser(homeserver);
  const bobAccount = await registerUser(homeserver, { displayName: 'Bob' });
  const bob = new MatrixPeer({
    baseUrl: homeserver.baseUrl,
    userId: bobAccount.userId,
    accessToken: bobAccount.accessToken,
  });
  await bob.createRoom({ name: 'Launch plans', invite: [alice.userId] });
  return { alice, bob };
}

function roomList(page: Page) {
  return page.getByRole('navigation', { name: 'Rooms' });
}

function signInHeading(page: Page) {
  return page.getByRole('heading', { name: 'Sign in to Tessera' });
}

/** Opens the removal confirmation from `trigger` and confirms it. */
async function signOutAndRemove(page: Page, trigger: string) {
  await page.getByRole('button', { name: trigger, exact: true }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Sign out and remove local data?' });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('may become unreadable');
  await confirm.getByRole('button', { name: 'Sign out and remove' }).click();
  await expect(signInHeading(page)).toBeVisible();
  await expect(confirm).toBeHidden();
}

/** Removing the local data leaves no file at all: no database, WAL/SHM, manifest or crypto store. */
async function expectNoAccountData(profileDir: string) {
  expect(await filesUnder(profileDir), 'files left in the profile folder').toEqual([]);
}

async function signInWithKeychain(page: Page, homeserver: HomeserverInfo, alice: RegisteredUser) {
  await signIn(page, { homeserver: homeserver.baseUrl, user: alice.localpart, password: alice.password });
  await expect(roomList(page).getByRole('listitem', { name: 'Launch plans' })).toBeVisible();
  await expect(page.getByText('Key kept in your system keychain')).toBeVisible();
}

test('after a restart the stored room list appears without signing in, then the live one', async ({
  page,
  homeserver,
  startTessera,
}) => {
  const { alice, bob } = await aliceWithInvite(homeserver);
  const first = await startTessera();
  await openIn(page, first);
  await signInWithKeychain(page, homeserver, alice);
  await first.stop();

  // A room that arrives while Tessera is closed can only come from the resumed sync.
  await bob.createRoom({ name: 'Design review', invite: [alice.userId] });

  const second = await startTessera();
  await openIn(page, second);
  const rooms = roomList(page);
  await expect(rooms.getByRole('listitem', { name: 'Launch plans' })).toBeVisible();
  await expect(signInHeading(page)).toHaveCount(0);
  await expect(page.getByText(alice.userId)).toBeVisible();
  await expect(page.getByText('Key kept in your system keychain')).toBeVisible();
  await expect(rooms.getByRole('listitem', { name: 'Design review' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Up to date' })).toBeVisible();

  await signOutAndRemove(page, 'Sign out');
});

test('without a keychain the person may choose a passphrase, then unlocks with it after a restart', async ({
  page,
  homeserver,
  profileDir,
  startTessera,
}) => {
  const { alice } = await aliceWithInvite(homeserver);
  const first = await startTessera({ env: noKeychainEnv });
  await openIn(page, first);
  await signIn(page, { homeserver: homeserver.baseUrl, user: alice.localpart, password: alice.password });

  // No keychain answered: the reason, and the choice, and nothing signed in.
  await expect(
    page.getByText('Tessera keeps the key to your local data in your system keychain, and none answered'),
  ).toBeVisible();
  const choice = page.getByRole('checkbox', { name: 'Protect local data with a passphrase instead' });
  await expect(choice).toBeFocused();
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await expect(roomList(page)).toHaveCount(0);

  await choice.check();
  await expect(page.getByText('not your Matrix password')).toBeVisible();
  // Two passphrases that differ are caught before anything is sent.
  await page.getByLabel('Passphrase for local data').fill(passphrase);
  await page.getByLabel('Type the passphrase again').fill(`${passphrase}!`);
  await page.getByLabel('Password', { exact: true }).fill(alice.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not the same' })).toBeVisible();
  await expect(page.getByLabel('Type the passphrase again')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Passphrase for local data')).toHaveValue('');

  await page.getByLabel('Passphrase for local data').fill(passphrase);
  await page.getByLabel('Type the passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(roomList(page).getByRole('listitem', { name: 'Launch plans' })).toBeVisible();
  await expect(page.getByText('Key protected by your passphrase')).toBeVisible();
  await first.stop();

  // Still no keychain: the data is locked until the passphrase is entered.
  const second = await startTessera({ env: noKeychainEnv });
  await openIn(page, second);
  await expect(page.getByRole('heading', { name: 'Unlock Tessera' })).toBeVisible();
  await expect(page.getByText(alice.userId)).toBeVisible();
  const field = page.getByLabel('Passphrase', { exact: true });
  await expect(field).toBeFocused();
  await field.fill('not the passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('That passphrase is not right');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveValue('');
  await expect(roomList(page)).toHaveCount(0);

  await field.fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(roomList(page).getByRole('listitem', { name: 'Launch plans' })).toBeVisible();
  await expect(page.getByText('Key protected by your passphrase')).toBeVisible();
  await second.stop();

  // Locked again; the person gives up on the passphrase and removes the local data.
  const third = await startTessera({ env: noKeychainEnv });
  await openIn(page, third);
  await expect(page.getByRole('heading', { name: 'Unlock Tessera' })).toBeVisible();
  // Cancel keeps everything as it was.
  await page.getByRole('button', { name: 'Sign out and remove local data' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alertdialog')).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Unlock Tessera' })).toBeVisible();

  await signOutAndRemove(page, 'Sign out and remove local data');
  await third.stop();
  await expectNoAccountData(profileDir);

  // Nothing is left to restore.
  const fourth = await startTessera({ env: noKeychainEnv });
  await openIn(page, fourth);
  await expect(signInHeading(page)).toBeVisible();
});

test('data kept in a keychain that no longer answers is explained, and can be removed', async ({
  page,
  homeserver,
  profileDir,
  startTessera,
}) => {
  const { alice } = await aliceWithInvite(homeserver);
  const first = await startTessera();
  await openIn(page, first);
  await signInWithKeychain(page, homeserver, alice);
  await first.stop();

  const second = await startTessera({ env: noKeychainEnv });
  await openIn(page, second);
  await expect(page.getByRole('heading', { name: 'Tessera cannot open your local data' })).toBeVisible();
  await expect(
    page.getByText(
      'Tessera keeps the key to your local data in your system keychain, and the keychain did not answer.',
    ),
  ).toBeVisible();
  await expect(page.getByText(alice.userId)).toBeVisible();
  await expect(roomList(page)).toHaveCount(0);

  // Trying again while the keychain is still away says so, and stays here.
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('status')).toHaveText('Tried again: the local data is still not available.');
  await expect(page.getByRole('heading', { name: 'Tessera cannot open your local data' })).toBeVisible();

  await signOutAndRemove(page, 'Sign out and remove local data');
  await second.stop();
  await expectNoAccountData(profileDir);
});
