// deps.mjs: re-exports the npm packages that test/contracts uses, so that the test (which
// lives outside this directory) resolves them from contrib/contracts/node_modules.
export * as evm from '@ethereumjs/evm';
export * as common from '@ethereumjs/common';
export * as util from '@ethereumjs/util';
export { secp256k1 } from '@noble/curves/secp256k1.js';
export { keccak_256 } from '@noble/hashes/sha3.js';
