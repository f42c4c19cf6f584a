// Loads the crypto-wasm module once per worker. Without this, the first call into the bindings
// would compile the module synchronously, blocking the worker for the length of the compile.
import { initAsync } from '@matrix-org/matrix-sdk-crypto-wasm';

let loading: Promise<void> | undefined;

export function loadCryptoWasm(): Promise<void> {
  loading ??= initAsync();
  return loading;
}
