// hardhat.test.mjs: Hardhat 2 runs a deploy script against a fresh regtest spectrumd as an
// external network: `npx hardhat run --network spectrum scripts/deploy.cjs` in
// test/interop/hardhat, which compiles the interop token (solc from npm, byzantium), deploys
// it with hardhat-ethers, and transfers. The test then checks with ethers, straight from the
// node, that what the script reports is on the chain.
//
// Why it is shaped this way: Hardhat is used from its command line, as a user would, in its own
// process; its JSON-RPC stack (chain-id check, automatic gas and gas price, local signing of
// eth_sendTransaction) is its own, so it tests the node differently from the ethers tests.
// The compiled artifacts go to a temporary directory (HARDHAT_OUT).
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { Node, CHAIN_ID } from './lib/node.mjs';
import { forbiddenOpcodes, stripMetadata, initCode } from './lib/compile.mjs';
import { DEV_ADDRESSES, Recorder, step } from './lib/common.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROJECT = path.join(HERE, 'hardhat');
const RUN_TIMEOUT_MS = 240_000;

// Runs a command; resolves to {code, stdout, stderr}.
function run(cmd, args, opts) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
        child.on('error', (e) => { clearTimeout(timer); reject(e); });
        child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    });
}

describe('hardhat 2 against spectrumd', () => {
    const rec = new Recorder();
    let node, provider, out, result;

    before(async () => {
        node = await Node.start();
        provider = rec.watchEthers(new ethers.JsonRpcProvider(node.url, Number(CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 }));
        out = fs.mkdtempSync(path.join(os.tmpdir(), 'spectrumd-interop-hardhat-'));
    });

    after(async () => {
        provider?.destroy();
        await node?.stop();
        if (out) fs.rmSync(out, { recursive: true, force: true });
    });

    step(rec, 'npx hardhat run --network spectrum scripts/deploy.cjs compiles, deploys and transfers', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
        const env = {
            ...process.env,
            SPECTRUM_RPC_URL: node.url,
            HARDHAT_OUT: out,
            HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
            HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true',
        };
        const r = await run('npx', ['--no', 'hardhat', 'run', '--network', 'spectrum', 'scripts/deploy.cjs'], { cwd: PROJECT, env });
        const line = r.stdout.split('\n').find((l) => l.startsWith('INTEROP_RESULT '));
        assert.ok(r.code === 0 && line, `hardhat exited with ${r.code}${r.signal ? ' (' + r.signal + ')' : ''}:\n${r.stdout}\n${r.stderr}`);
        result = JSON.parse(line.slice('INTEROP_RESULT '.length));
        assert.match(r.stdout, /evm target: byzantium/);
        assert.equal(BigInt(result.chainId), CHAIN_ID);
        assert.equal(result.deployer, DEV_ADDRESSES[0]);
        assert.equal(result.other, DEV_ADDRESSES[1]);
        assert.equal(result.transferStatus, 1);
        assert.equal(result.otherBalance, '12345');
        assert.equal(BigInt(result.deployerBalance), 10n ** 24n - 12345n);
    });

    step(rec, "the chain holds what the script reports, as Hardhat's artifact says", { requires: () => (result ? null : 'the hardhat run failed') }, async () => {
        const artifact = JSON.parse(fs.readFileSync(path.join(out, 'artifacts', 'contracts', 'InteropToken.sol', 'InteropToken.json'), 'utf8'));
        assert.deepEqual(forbiddenOpcodes(stripMetadata(artifact.deployedBytecode)), []);
        assert.deepEqual(forbiddenOpcodes(initCode(artifact)), []);
        assert.equal(await provider.getCode(result.token), artifact.deployedBytecode);
        const token = new ethers.Contract(result.token, artifact.abi, provider);
        assert.equal(await token.name(), 'Hardhat Token');
        assert.equal(await token.balanceOf(DEV_ADDRESSES[1]), 12345n);
        const deploy = await provider.getTransaction(result.deployTx);
        assert.equal(deploy.from, DEV_ADDRESSES[0]);
        assert.equal(deploy.to, null);
        assert.equal(deploy.type, 0, 'Hardhat sent a legacy transaction');
        assert.equal(deploy.chainId, CHAIN_ID);
        assert.equal(deploy.gasPrice, BigInt(await provider.send('eth_gasPrice', [])));
        const receipt = await provider.getTransactionReceipt(result.transferTx);
        assert.equal(receipt.status, 1);
        const logs = receipt.logs.map((l) => token.interface.parseLog(l));
        assert.deepEqual(logs.map((l) => [l.name, ...l.args]), [['Transfer', DEV_ADDRESSES[0], DEV_ADDRESSES[1], 12345n]]);
    });
});
