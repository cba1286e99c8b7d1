// deploy.cjs: a Hardhat deploy script, run against spectrumd as an external network:
//   npx hardhat run --network spectrum scripts/deploy.cjs
// It deploys InteropToken with hardhat-ethers (the first account of the network config pays),
// transfers some tokens to the second account, reads the balances back, and prints one line
// "INTEROP_RESULT {json}" that test/interop/hardhat.test.mjs checks against the chain.
const hre = require('hardhat');

async function main() {
    const [deployer, other] = await hre.ethers.getSigners();
    const network = await hre.ethers.provider.getNetwork();
    const token = await hre.ethers.deployContract('InteropToken', ['Hardhat Token', 'HHT', 10n ** 24n]);
    await token.waitForDeployment();
    const deployReceipt = await token.deploymentTransaction().wait();
    const tx = await token.transfer(other.address, 12345n);
    const receipt = await tx.wait();
    const result = {
        chainId: network.chainId.toString(),
        token: await token.getAddress(),
        deployer: deployer.address,
        other: other.address,
        deployTx: deployReceipt.hash,
        deployBlock: deployReceipt.blockNumber,
        transferTx: receipt.hash,
        transferStatus: receipt.status,
        otherBalance: (await token.balanceOf(other.address)).toString(),
        deployerBalance: (await token.balanceOf(deployer.address)).toString(),
    };
    console.log('INTEROP_RESULT ' + JSON.stringify(result));
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
