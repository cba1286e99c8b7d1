// proxy.test.mjs: delegated gas payment end to end on a fresh regtest spectrumd: the ProxyToken
// artifact (share/contracts/ProxyToken.json, from contrib/contracts/ProxyToken.sol) is deployed
// with ethers, tokens go to a key that owns no SMT, that key signs a transfer off-chain with
// ethers (signMessage over the 32-byte hash), and another account submits transferProxy and
// pays the gas, earning the fee in tokens. Then the node itself as relayer (relay_proxyHash,
// relay_transferProxy, with the cookie), when the node has the relay_ namespace.
//
// Why it is shaped this way: this is the flow the SMT papers describe and users rely on: a
// holder with no SMT at all moves tokens. The checks are on the chain (token balances, the
// holder's SMT balance and nonce that never move, the proxy nonce) and on the failures a
// relayer must see before paying for them (a replayed or altered authorization).
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { Node, CHAIN_ID, ROOT, hasOption } from './lib/node.mjs';
import { DEV_KEYS, DEV_ADDRESSES, ETHER, Recorder, step } from './lib/common.mjs';

const SUPPLY = 1_000_000n * ETHER;
const OPTS = { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 };
const RELAYER = DEV_ADDRESSES[3]; // the node's relayer account (-relayer)

// The hash a holder signs: keccak256(token ‖ from ‖ to ‖ value ‖ fee ‖ nonce), packed
// (contrib/contracts/ProxyToken.sol); the contract checks it with the eth_sign prefix.
function authHash(token, from, to, value, fee, nonce) {
    return ethers.solidityPackedKeccak256(
        ['address', 'address', 'address', 'uint256', 'uint256', 'uint256'], [token, from, to, value, fee, nonce]);
}

describe('ProxyToken transferProxy against spectrumd', () => {
    const rec = new Recorder();
    const holder = new ethers.Wallet(ethers.id('spectrumd interop proxy holder')); // no SMT, ever
    let node, provider, art, token, tokenAddress;
    const deployed = () => (token ? null : 'the token was not deployed (an earlier step failed)');

    before(async () => {
        node = await Node.start(hasOption('-relayer') ? [`-relayer=${RELAYER}`] : []);
        provider = rec.watchEthers(new ethers.JsonRpcProvider(node.url, Number(CHAIN_ID), OPTS));
        art = JSON.parse(fs.readFileSync(path.join(ROOT, 'share', 'contracts', 'ProxyToken.json'), 'utf8'));
    });

    after(async () => {
        provider?.destroy();
        await node?.stop();
    });

    // The holder's SMT balance and account nonce: both stay 0 whatever happens to its tokens.
    async function holderUntouched() {
        assert.equal(await provider.getBalance(holder.address), 0n, 'the holder never pays gas');
        assert.equal(await provider.getTransactionCount(holder.address), 0, 'the holder never sends');
    }

    step(rec, 'deploys ProxyToken and gives tokens to a key that holds no SMT', async () => {
        const owner = new ethers.Wallet(DEV_KEYS[0], provider);
        const c = await new ethers.ContractFactory(art.abi, art.bytecode, owner).deploy(SUPPLY);
        await c.waitForDeployment();
        tokenAddress = await c.getAddress();
        assert.equal(await provider.getCode(tokenAddress), art.deployedBytecode);
        const r = await (await c.transfer(holder.address, 1000n)).wait();
        assert.equal(r.status, 1);
        assert.equal(await c.balanceOf(holder.address), 1000n);
        assert.equal(await c.proxyNonce(holder.address), 0n);
        await holderUntouched();
        token = c;
    });

    step(rec, 'the holder signs, another account submits transferProxy and earns the fee', { requires: deployed }, async () => {
        const to = DEV_ADDRESSES[6];
        const relayer = new ethers.Wallet(DEV_KEYS[2], provider);
        const [value, fee] = [300n, 7n];
        const h = authHash(tokenAddress, holder.address, to, value, fee, 0n);
        // What the holder signs is what the contract checks.
        assert.equal(ethers.hashMessage(ethers.getBytes(h)), await token.proxyHash(holder.address, to, value, fee, 0n));
        const sig = ethers.Signature.from(await holder.signMessage(ethers.getBytes(h)));
        const tx = await token.connect(relayer).transferProxy(holder.address, to, value, fee, sig.v, sig.r, sig.s);
        const receipt = await tx.wait();
        assert.equal(receipt.status, 1);
        assert.equal(receipt.from, DEV_ADDRESSES[2]);
        const moves = receipt.logs.map((l) => token.interface.parseLog(l)).map((e) => [e.name, ...e.args]);
        assert.deepEqual(moves, [['Transfer', holder.address, to, value], ['Transfer', holder.address, DEV_ADDRESSES[2], fee]]);
        assert.equal(await token.balanceOf(holder.address), 1000n - value - fee);
        assert.equal(await token.balanceOf(to), value);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[2]), fee);
        assert.equal(await token.proxyNonce(holder.address), 1n);
        await holderUntouched();

        // The same authorization again, or altered, is refused before anyone pays for it.
        await assert.rejects(token.connect(relayer).transferProxy(holder.address, to, value, fee, sig.v, sig.r, sig.s), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.reason, 'ProxyToken: not signed by from');
            return true;
        });
    });

    step(rec, "the node's unlocked account can relay too (eth_sendTransaction)", { requires: deployed }, async () => {
        const to = DEV_ADDRESSES[7];
        const [value, fee] = [100n, 3n];
        const nonce = await token.proxyNonce(holder.address);
        const sig = ethers.Signature.from(await holder.signMessage(ethers.getBytes(authHash(tokenAddress, holder.address, to, value, fee, nonce))));
        const signer = await provider.getSigner(DEV_ADDRESSES[4]);
        // A signature for other terms recovers another address: refused.
        await assert.rejects(token.connect(signer).transferProxy(holder.address, to, value + 1n, fee, sig.v, sig.r, sig.s),
            (e) => e.reason === 'ProxyToken: not signed by from');
        const receipt = await (await token.connect(signer).transferProxy(holder.address, to, value, fee, sig.v, sig.r, sig.s)).wait();
        assert.equal(receipt.status, 1);
        assert.equal(await token.balanceOf(to), value);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[4]), fee);
        assert.equal(await token.balanceOf(holder.address), 1000n - 307n - value - fee);
        assert.equal(await token.proxyNonce(holder.address), nonce + 1n);
        await holderUntouched();
    });

    step(rec, 'the node relays: relay_proxyHash, then relay_transferProxy with the signature', { requires: deployed }, async (t) => {
        if (!(await node.hasMethod('relay_proxyHash', [], { auth: true }))) {
            t.skip('this spectrumd has no relay_ namespace');
            return;
        }
        const q = ethers.toQuantity;
        const to = DEV_ADDRESSES[8];
        const [value, fee] = [50n, 5n];
        const nonce = await token.proxyNonce(holder.address);
        const args = [tokenAddress, holder.address, to, q(value), q(fee)];
        const ph = await node.rpc('relay_proxyHash', args, { auth: true });
        assert.equal(ph.hash, authHash(tokenAddress, holder.address, to, value, fee, nonce));
        assert.equal(ph.digest, await token.proxyHash(holder.address, to, value, fee, nonce));
        assert.equal(BigInt(ph.nonce), nonce);
        const signature = await holder.signMessage(ethers.getBytes(ph.hash));
        const relayerFeesBefore = await token.balanceOf(RELAYER);
        const txHash = await node.rpc('relay_transferProxy', [...args, signature], { auth: true });
        const receipt = await provider.waitForTransaction(txHash, 1, 30_000);
        assert.equal(receipt.status, 1);
        assert.equal(receipt.from, RELAYER);
        assert.equal(receipt.to, tokenAddress);
        assert.equal(await token.balanceOf(to), value);
        assert.equal(await token.balanceOf(RELAYER), relayerFeesBefore + fee);
        assert.equal(await token.proxyNonce(holder.address), nonce + 1n);
        await holderUntouched();

        // A replay is refused by the node itself, so the relayer pays nothing for it.
        const gasBefore = await provider.getBalance(RELAYER);
        const replay = await node.call('relay_transferProxy', [...args, signature], { auth: true });
        assert.equal(replay.error?.code, -32000, JSON.stringify(replay));
        assert.match(replay.error.message, /invalid signature/);
        assert.equal(await provider.getBalance(RELAYER), gasBefore);
        // relay_ needs credentials.
        const anon = await fetch(node.url, {
            method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'relay_proxyHash', params: args }),
        });
        assert.equal(anon.status, 401);
    });
});
