// The Ed25519 public keys that may sign Linux AppImage updates (update-signature.ts), as base64
// SPKI DER. Empty until the project has a release key: without a key, AppImage builds do not
// update themselves (the update service reports 'unsigned-build'), exactly like an unsigned
// Windows build. To create one (docs/deployment.md, "Signing Linux updates"):
//   openssl genpkey -algorithm ed25519 -out update-signing-key.pem      # keep it secret
//   node build/sign-update-feed.ts --public-key update-signing-key.pem  # the line to add here
// The private key goes into the release workflow's TESSERA_UPDATE_SIGNING_KEY secret. To rotate,
// ship a release with both keys, then sign with the new one.
export const updateSigningKeys: readonly string[] = [];
