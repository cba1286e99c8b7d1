// hardhat.config.cjs: a minimal Hardhat 2 project that treats a regtest spectrumd as an
// external network ("spectrum"), for test/interop/hardhat.test.mjs and as an example for users
// (doc/rpc.md, "Using ethers, web3 and hardhat").
//
//   SPECTRUM_RPC_URL=http://127.0.0.1:18545 npx hardhat run --network spectrum scripts/deploy.cjs
//
// Why it is shaped this way:
// - accounts are the regtest dev keys (doc/regtest.md; public, test use only), so Hardhat signs
//   locally and sends raw legacy transactions. Nothing else about fees needs setting: Hardhat
//   sees no baseFeePerGas in the node's blocks and prices transactions with eth_gasPrice.
// - The sources are the interop tests' own (test/interop/contracts; Hardhat wants its sources
//   under the project root, hence paths.root), compiled for evmVersion byzantium:
//   regtest runs Spectrum's SIP004 rules (Byzantium + CHAINID + SELFBALANCE), and solc's
//   default EVM would emit PUSH0 and SHL, which the chain rejects.
// - The compiler is solc from npm (soljson, the same package the other tests use): Hardhat would
//   otherwise download a native solc at compile time, and the tests never dial out.
// - Artifacts and cache go to $HARDHAT_OUT (a temporary directory the test makes), so a run
//   leaves nothing in the source tree.
// - This is CommonJS (.cjs) because test/interop/package.json declares ES modules.
const os = require('node:os');
const path = require('node:path');
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');
const { keccak256, toUtf8Bytes } = require('ethers');
require('@nomicfoundation/hardhat-ethers');

const SOLC_VERSION = require('solc/package.json').version;
const DEV_KEYS = Array.from({ length: 10 }, (_, i) => keccak256(toUtf8Bytes(`spectrumd regtest dev account ${i}`)));
const OUT = process.env.HARDHAT_OUT || path.join(os.tmpdir(), 'spectrumd-interop-hardhat');

// Compile with the solcjs build in node_modules instead of downloading one.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }, hre, runSuper) => {
    if (solcVersion !== SOLC_VERSION) return runSuper();
    const long = require('solc').version().replace(/\.Emscripten\.clang$/, '');
    return { compilerPath: require.resolve('solc/soljson.js'), isSolcJs: true, version: solcVersion, longVersion: long };
});

module.exports = {
    solidity: {
        version: SOLC_VERSION,
        settings: { evmVersion: 'byzantium', optimizer: { enabled: true, runs: 200 } },
    },
    networks: {
        spectrum: {
            url: process.env.SPECTRUM_RPC_URL || 'http://127.0.0.1:18545',
            chainId: 1397769539,
            accounts: DEV_KEYS,
        },
    },
    paths: {
        root: '..', // test/interop: Hardhat compiles only sources under its root
        sources: 'contracts',
        artifacts: path.join(OUT, 'artifacts'),
        cache: path.join(OUT, 'cache'),
    },
};
