// One-time tokens that let exactly one page open the bridge socket. A token is minted per page
// load, travels in the URL fragment (never sent to the server in a request line), and is
// consumed by the first socket that presents it.
import { randomBytes, timingSafeEqual } from 'node:crypto';

const tokenBytes = 32;

export class PageTokens {
  readonly #pending: Buffer[] = [];

  mint(): string {
    const token = randomBytes(tokenBytes);
    this.#pending.push(token);
    return token.toString('base64url');
  }

  /** True once per minted token; every later presentation, and any unknown value, is refused. */
  consume(presented: string): boolean {
    const candidate = Buffer.from(presented, 'base64url');
    // base64url decoding is lenient, so also require the canonical spelling.
    if (candidate.length !== tokenBytes || candidate.toString('base64url') !== presented) return false;
    let match = -1;
    for (const [index, token] of this.#pending.entries()) {
      // Compare against every pending token, so timing says nothing about which one matched.
      if (timingSafeEqual(candidate, token) && match === -1) match = index;
    }
    if (match === -1) return false;
    this.#pending.splice(match, 1);
    return true;
  }
}
