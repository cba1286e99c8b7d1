// hardhat.config.js — the hardhat 3 node that run.sh measures against spectrumd.
//
// The node simulates a chain in memory (EDR) with the regtest chain id, so that the same
// pre-signed transactions are valid on all three nodes, and with regtest dev account 0
// funded, so that the same deployment transaction puts the token at the same address. No
// fork URL: the node never dials out. Automine is hardhat's default. Artifacts and cache go
// to the run's temporary directory (BENCH_HARDHAT_DIR), never into the source tree.
const tmp = process.env.BENCH_HARDHAT_DIR ?? "/tmp/spectrumd-rpc-bench-hardhat";

export default {
  paths: {
    artifacts: `${tmp}/artifacts`,
    cache: `${tmp}/cache`,
  },
  networks: {
    node: {
      type: "edr-simulated",
      chainId: 1397769539,
      accounts: [
        {
          // regtest dev account 0 (doc/regtest.md; a PUBLIC test key)
          privateKey: "0xb35c75b23320320389141b2a659b0c47cd77db0c76dfa63a459868aa0cb563aa",
          balance: "1000000000000000000000000",
        },
      ],
    },
  },
};
