/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { TesseraBridge } from '../src-preload/contract.ts';

declare global {
  interface Window {
    /** Exposed by the preload (or the e2e harness's bridge). Absent in a plain browser tab. */
    readonly tessera?: TesseraBridge;
  }
}
