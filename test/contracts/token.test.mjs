// token.test.mjs: the ProxyToken artifact (share/contracts/ProxyToken.json): ERC20 behaviour,
// the documented storage layout the benchmarks rely on, and transferProxy — delegated gas
// payment, where a relayer submits a holder's signed transfer and is paid a fee in tokens.
// Run by contrib/contracts/test.sh (`node --test`).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { Chain, makeKey, signHash, keccakHex, hexToBytes, ETHER } from './harness.mjs';

const SUPPLY = 1_000_000n * ETHER;

describe('ProxyToken', () => {
    let chain, token;
    const owner = makeKey('token-owner');
    const alice = makeKey('token-alice');
    const bob = makeKey('token-bob');
    const relayer = makeKey('token-relayer');

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, alice, bob, relayer]) await chain.fund(k.address, 10n * ETHER);
        token = await chain.deploy('ProxyToken', owner.address, [SUPPLY]);
    });

    // A holder's authorization: signature over proxyHash(from, to, value, fee, nonce).
    async function authorize(signer, from, to, value, fee, nonce) {
        const h = await token.call(relayer.address, 'proxyHash', [from.address, to.address, value, fee, nonce]);
        return signHash(signer, h);
    }

    it('mints the supply to the deployer, with the ERC20 metadata', async () => {
        assert.equal(await token.call(owner.address, 'totalSupply'), SUPPLY);
        assert.equal(await token.call(owner.address, 'balanceOf', [owner.address]), SUPPLY);
        assert.equal(await token.call(owner.address, 'decimals'), 18n);
        assert.equal(await token.call(owner.address, 'symbol'), 'SPT');
    });

    it('keeps balances in slot keccak256(holder ‖ 1) (the layout benchmarks seed)', async () => {
        const slot = keccakHex(hexToBytes('0x' + owner.address.slice(2).padStart(64, '0') + '1'.padStart(64, '0')));
        const raw = await chain.evm.stateManager.getStorage(
            (await import('../../contrib/contracts/deps.mjs')).util.createAddressFromString(token.address),
            hexToBytes(slot));
        assert.equal(BigInt('0x' + Buffer.from(raw).toString('hex')), SUPPLY);
    });

    it('transfer moves tokens, emits Transfer, and refuses overdrafts', async () => {
        const r = await token.send(owner.address, 'transfer', [alice.address, 1000n * ETHER]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(r.logs.length, 1);
        assert.equal(r.logs[0].topics[0], token.topic('Transfer'));
        assert.equal(BigInt(r.logs[0].topics[2]), BigInt(alice.address));
        assert.equal(BigInt('0x' + Buffer.from(r.logs[0].data).toString('hex')), 1000n * ETHER);
        const bad = await token.send(bob.address, 'transfer', [alice.address, 1n]);
        assert.equal(bad.ok, false);
        assert.match(bad.reason, /insufficient balance/);
    });

    it('approve and transferFrom spend the allowance', async () => {
        assert.equal((await token.send(alice.address, 'approve', [bob.address, 5n])).ok, true);
        assert.equal((await token.send(bob.address, 'transferFrom', [alice.address, bob.address, 3n])).ok, true);
        assert.equal(await token.call(bob.address, 'allowance', [alice.address, bob.address]), 2n);
        const over = await token.send(bob.address, 'transferFrom', [alice.address, bob.address, 3n]);
        assert.equal(over.ok, false);
        assert.match(over.reason, /allowance exceeded/);
    });

    it('transferProxy: the relayer submits, pays gas in SMT and earns the fee in tokens', async () => {
        const before = await token.call(alice.address, 'balanceOf', [alice.address]);
        const sig = await authorize(alice, alice, bob, 100n, 7n, 0n);
        const r = await token.send(relayer.address, 'transferProxy',
                                   [alice.address, bob.address, 100n, 7n, sig.v, sig.r, sig.s]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(await token.call(alice.address, 'balanceOf', [alice.address]), before - 107n);
        assert.equal(await token.call(alice.address, 'balanceOf', [relayer.address]), 7n);
        assert.equal(await token.call(alice.address, 'proxyNonce', [alice.address]), 1n);
    });

    it('transferProxy: a signature works once, only for its signer, values and nonce', async () => {
        const sig = await authorize(alice, alice, bob, 10n, 1n, 1n);
        // tampered value
        let r = await token.send(relayer.address, 'transferProxy',
                                 [alice.address, bob.address, 11n, 1n, sig.v, sig.r, sig.s]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /not signed by from/);
        // signed by someone else for alice
        const forged = await authorize(bob, alice, bob, 10n, 1n, 1n);
        r = await token.send(relayer.address, 'transferProxy',
                             [alice.address, bob.address, 10n, 1n, forged.v, forged.r, forged.s]);
        assert.equal(r.ok, false);
        // the genuine one passes, then its replay fails (the nonce moved on)
        r = await token.send(relayer.address, 'transferProxy',
                             [alice.address, bob.address, 10n, 1n, sig.v, sig.r, sig.s]);
        assert.equal(r.ok, true, r.reason);
        r = await token.send(relayer.address, 'transferProxy',
                             [alice.address, bob.address, 10n, 1n, sig.v, sig.r, sig.s]);
        assert.equal(r.ok, false);
    });

    it('transferProxy: refuses value + fee above the balance and the high-s twin', async () => {
        const bal = await token.call(bob.address, 'balanceOf', [bob.address]);
        const sig = await authorize(bob, bob, alice, bal, 1n, 0n);
        let r = await token.send(relayer.address, 'transferProxy',
                                 [bob.address, alice.address, bal, 1n, sig.v, sig.r, sig.s]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /insufficient balance/);
        const ok = await authorize(bob, bob, alice, 1n, 0n, 0n);
        const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        const highS = '0x' + (n - BigInt(ok.s)).toString(16).padStart(64, '0');
        r = await token.send(relayer.address, 'transferProxy',
                             [bob.address, alice.address, 1n, 0n, ok.v === 27 ? 28 : 27, ok.r, highS]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /high s/);
    });
});
