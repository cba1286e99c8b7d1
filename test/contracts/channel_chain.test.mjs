// channel_chain.test.mjs: the hub's chain side (src/channel/contract.c, events.c) against the
// committed contracts. Every transaction here carries call data built by spectrumd's C code
// (the test tool test/unit/channel_calldata, a line protocol over contract.h and events.h),
// runs on the committed TokensNetwork / SecretRegistry / SMTToken / PhotonTestToken bytecode
// in the JS EVM harness, and every log and view reply is decoded back by the C decoders and
// compared with what the harness (independent JS code) says. Covered: opening and deposits
// by approve + deposit, ERC223 transfer, approveAndCall and SMTToken.buyAndTransfer; the
// views; a cheating close with an old proof corrected by updateBalanceProof; secret
// registration; unlock and unlockDelegate with merkle proofs; settle after the punish
// window; withdraw; cooperative settle; punishObsoleteUnlock.
//
// The tool is found through SPECTRUM_CHANNEL_CALLDATA (e.g. after `make check` in a build
// dir: SPECTRUM_CHANNEL_CALLDATA=$builddir/test/unit/channel_calldata
// contrib/contracts/test.sh); without it the suite is skipped.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Chain, makeKey, keccakHex, hexToBytes, bytesToHex, ETHER } from './harness.mjs';
import {
    ZERO32, sha256Hex, channelIdentifier, balanceHash, lockHash, MerkleTree, messages, signFields,
    eventsOf, sendSig, deployNetwork,
} from './photon_harness.mjs';

const TOOL = process.env.SPECTRUM_CHANNEL_CALLDATA;
const HAVE_TOOL = Boolean(TOOL && fs.existsSync(TOOL));
// contrib/test.sh (and so CI) always builds the tool and sets the variable: there a missing
// tool is a failure, not a skip.
if (!HAVE_TOOL && process.env.CI === 'true') {
    throw new Error(`SPECTRUM_CHANNEL_CALLDATA (${TOOL}) is not the built test/unit/channel_calldata`);
}
const CHAIN_ID = 1397769539n;
const T = 40n;
const PUNISH = 257n;

const deployer = makeKey('chainclient-deployer');
const alice = makeKey('chainclient-alice');
const bob = makeKey('chainclient-bob');
const carol = makeKey('chainclient-carol');
const monitor = makeKey('chainclient-monitor');

// Runs tool commands (one per line); returns the output lines.
function tool(...lines) {
    const out = execFileSync(TOOL, { input: lines.join('\n') + '\n', encoding: 'utf8' });
    const res = out.trim().split('\n');
    assert.equal(res.length, lines.length, out);
    for (const r of res) assert.ok(!r.startsWith('error'), r);
    return res;
}

const c1 = (line) => tool(line)[0];
const w = (...words) => words.map((x) => (typeof x === 'bigint' ? x.toString() : x)).join(' ');

// Sends C-built call data as a transaction.
async function send(chain, from, to, line, value = 0n) {
    const data = c1(line);
    assert.match(data, /^0x[0-9a-f]+$/);
    return chain.run({ from: from.address, to, data: hexToBytes(data), value });
}

// The C decoding of every log of res (emitted by tn or sr).
function decodeLogs(f, res) {
    return res.logs
        .filter((l) => l.address === f.tn.address.toLowerCase() || l.address === f.sr.address.toLowerCase())
        .map((l) => JSON.parse(c1(w('event', f.tn.address, f.sr.address, l.address,
                                    l.topics.length ? l.topics.join(',') : '-', bytesToHex(l.data)))));
}

// A view called with C-built call data, its reply decoded by C.
async function view(f, to, line, ret) {
    const res = await f.chain.run({ from: deployer.address, to, data: hexToBytes(c1(line)) });
    assert.equal(res.ok, true, res.reason);
    return JSON.parse(c1(w('ret.' + ret, bytesToHex(res.ret))));
}

function bp(signer, ch, { ta, locksroot = ZERO32, nonce }) {
    const ah = keccakHex('cc-additional:' + signer.label + ':' + nonce);
    const sig = signFields(signer, messages.balanceProof({
        ta, locksroot, nonce, additionalHash: ah, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID,
    }));
    return { ta, locksroot, nonce, ah, sig };
}

describe('channel chain side: C call data and decoders on the committed contracts', { skip: !HAVE_TOOL && 'set SPECTRUM_CHANNEL_CALLDATA to test/unit/channel_calldata' }, () => {
    let f;
    const ids = {};

    before(async () => {
        const chain = await Chain.create();
        for (const k of [deployer, alice, bob, carol, monitor]) await chain.fund(k.address, 1000n * ETHER);
        const { tn, sr } = await deployNetwork(chain, deployer.address, CHAIN_ID);
        const token = await chain.deploy('PhotonTestToken', deployer.address, [1_000_000n]);
        for (const k of [alice, bob, carol]) {
            assert.equal((await sendSig(token, deployer.address, 'transfer(address,uint256)', [k.address, 100_000n])).ok, true);
        }
        const smt = await chain.deploy('SMTToken', deployer.address, [tn.address]);
        f = { chain, tn, sr, token, smt };
    });

    it('views: chain_id and secret_registry', async () => {
        assert.equal((await view(f, f.tn.address, 'chain_id', 'chainId')).chain_id, CHAIN_ID.toString());
        assert.equal((await view(f, f.tn.address, 'secret_registry', 'secretRegistry')).secret_registry,
                     f.sr.address.toLowerCase());
    });

    it('opens alice–bob with approve + deposit, and bob tops up with an ERC223 transfer', async () => {
        const { chain, tn, token } = f;
        chain.setBlock(10);
        let r = await send(chain, alice, token.address, w('approve', tn.address, 100n));
        assert.equal(r.ok, true, r.reason);
        r = await send(chain, alice, tn.address, w('deposit', token.address, alice.address, bob.address, 100n, T));
        assert.equal(r.ok, true, r.reason);
        const id = channelIdentifier(token.address, alice.address, bob.address, tn.address);
        ids.ab = { id, openBlock: 10n };
        const evs = decodeLogs(f, r);
        assert.deepEqual(evs.map((e) => e.kind), ['TokenNetworkCreated', 'ChannelOpenedAndDeposit']);
        assert.deepEqual(evs[1], {
            kind: 'ChannelOpenedAndDeposit', channel_id: id, token: token.address.toLowerCase(),
            participant: alice.address.toLowerCase(), partner: bob.address.toLowerCase(), settle_timeout: T.toString(),
            deposit: '100',
        });
        const dd = c1(w('depositData', bob.address, alice.address, 0n));
        r = await send(chain, bob, token.address, w('transfer223', tn.address, 50n, dd));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelNewDeposit', channel_id: id, participant: bob.address.toLowerCase(), total_deposit: '50',
        }]);
        const info = await view(f, tn.address, w('getChannelInfo', token.address, bob.address, alice.address), 'channelInfo');
        assert.deepEqual(info, { ok: true, channel_id: id, settle_block: '0', open_block: '10', state: '1', settle_timeout: T.toString() });
        const p = await view(f, tn.address, w('getChannelParticipantInfo', token.address, bob.address, alice.address),
                             'participantInfo');
        assert.deepEqual(p, { ok: true, deposit: '50', balance_hash: '0x' + '00'.repeat(24), nonce: '0' });
    });

    it('opens carol–bob with approveAndCall and alice–carol in SMT with buyAndTransfer', async () => {
        const { chain, tn, token, smt } = f;
        chain.setBlock(11);
        const dd = c1(w('depositData', carol.address, bob.address, T));
        let r = await send(chain, carol, token.address, w('approveAndCall', tn.address, 80n, dd));
        assert.equal(r.ok, true, r.reason);
        ids.cb = { id: channelIdentifier(token.address, carol.address, bob.address, tn.address), openBlock: 11n };
        assert.equal(decodeLogs(f, r)[0].channel_id, ids.cb.id);
        r = await send(chain, bob, token.address, w('approve', tn.address, 20n));
        r = await send(chain, bob, tn.address, w('deposit', token.address, bob.address, carol.address, 20n, 0n));
        assert.equal(r.ok, true, r.reason);
        r = await send(chain, alice, smt.address, w('buyAndTransfer', alice.address, carol.address, T), 3n * ETHER);
        assert.equal(r.ok, true, r.reason);
        const evs = decodeLogs(f, r).filter((e) => e.kind === 'ChannelOpenedAndDeposit');
        assert.equal(evs.length, 1);
        assert.equal(evs[0].token, smt.address.toLowerCase());
        assert.equal(evs[0].deposit, (3n * ETHER).toString());
        assert.equal(evs[0].channel_id, channelIdentifier(smt.address, alice.address, carol.address, tn.address));
    });

    // bob pays alice with three locks; alice pays bob 10 directly.
    const s = [keccakHex('cc-secret-0'), keccakHex('cc-secret-1'), keccakHex('cc-secret-2')];
    const locks = [
        { expiration: 200n, amount: 5n, secretHash: sha256Hex(hexToBytes(s[0])) },
        { expiration: 200n, amount: 7n, secretHash: sha256Hex(hexToBytes(s[1])) },
        { expiration: 200n, amount: 11n, secretHash: sha256Hex(hexToBytes(s[2])) },
    ];
    const tree = new MerkleTree(locks.map(lockHash));

    it('bob closes with alice\'s old proof; alice updates with bob\'s newest (C call data, C-decoded events)', async () => {
        const { chain, tn, token } = f;
        const aliceOld = bp(alice, ids.ab, { ta: 4n, nonce: 1n });
        chain.setBlock(20);
        let r = await send(chain, bob, tn.address, w('prepareSettle', token.address, alice.address, aliceOld.ta,
                                                    aliceOld.locksroot, aliceOld.nonce, aliceOld.ah, aliceOld.sig));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelClosed', channel_id: ids.ab.id, closing: bob.address.toLowerCase(), locksroot: ZERO32,
            transferred_amount: '4',
        }]);
        const bobNew = bp(bob, ids.ab, { ta: 30n, locksroot: tree.root, nonce: 6n });
        chain.setBlock(21);
        r = await send(chain, alice, tn.address, w('updateBalanceProof', token.address, bob.address, bobNew.ta,
                                                   bobNew.locksroot, bobNew.nonce, bobNew.ah, bobNew.sig));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'BalanceProofUpdated', channel_id: ids.ab.id, participant: bob.address.toLowerCase(),
            locksroot: tree.root, transferred_amount: '30',
        }]);
        const p = await view(f, tn.address, w('getChannelParticipantInfo', token.address, bob.address, alice.address),
                             'participantInfo');
        assert.deepEqual([p.balance_hash, p.nonce], [balanceHash(30n, tree.root), '6']);
        const info = await view(f, tn.address, w('getChannelInfo', token.address, alice.address, bob.address), 'channelInfo');
        assert.deepEqual([info.state, info.settle_block], ['2', (20n + T).toString()]);
    });

    it('registers secrets and unlocks two locks (one by a delegate) with chained amounts', async () => {
        const { chain, tn, sr, token } = f;
        chain.setBlock(25);
        for (const i of [0, 2]) {
            const r = await send(chain, alice, sr.address, w('registerSecret', s[i]));
            assert.equal(r.ok, true, r.reason);
            assert.deepEqual(decodeLogs(f, r), [{ kind: 'SecretRevealed', secret: s[i] }]);
        }
        const rb = await view(f, sr.address, w('getSecretRevealBlockHeight', locks[0].secretHash), 'revealBlock');
        assert.equal(rb.block, '25');
        assert.equal((await view(f, sr.address, w('getSecretRevealBlockHeight', locks[1].secretHash), 'revealBlock')).block, '0');
        const l0 = locks[0];
        let r = await send(chain, alice, tn.address, w('unlock', token.address, bob.address, 30n, l0.expiration, l0.amount,
                                                       l0.secretHash, tree.proof(0)));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelUnlocked', channel_id: ids.ab.id, payer: bob.address.toLowerCase(), lockhash: lockHash(l0),
            transferred_amount: '35',
        }]);
        const q = await view(f, tn.address, w('queryUnlockedLocks', token.address, bob.address, alice.address, lockHash(l0)),
                             'unlocked');
        assert.equal(q.unlocked, true);
        // lock 2 by the monitoring service, on alice's UnlockDelegate signature
        const l2 = locks[2];
        const dsig = signFields(alice, messages.unlockDelegate({
            delegatee: monitor.address, expiration: l2.expiration, amount: l2.amount, secretHash: l2.secretHash,
            channelId: ids.ab.id, openBlock: ids.ab.openBlock, chainId: CHAIN_ID,
        }));
        r = await send(chain, monitor, tn.address, w('unlockDelegate', token.address, bob.address, alice.address, 35n,
                                                     l2.expiration, l2.amount, l2.secretHash, tree.proof(2), dsig));
        assert.equal(r.ok, true, r.reason);
        assert.equal(decodeLogs(f, r)[0].transferred_amount, '46');
    });

    it('settles after settle block + 257 with the on-chain amounts', async () => {
        const { chain, tn, token } = f;
        const line = w('settle', token.address, alice.address, 4n, ZERO32, bob.address, 46n, tree.root);
        chain.setBlock(20n + T + PUNISH);
        let r = await send(chain, carol, tn.address, line);
        assert.equal(r.ok, false);
        chain.setBlock(20n + T + PUNISH + 1n);
        const before = [await token.call(alice.address, 'balanceOf', [alice.address]),
                        await token.call(bob.address, 'balanceOf', [bob.address])];
        r = await send(chain, carol, tn.address, line);
        assert.equal(r.ok, true, r.reason);
        // alice: 100 + 46 − 4 = 142; bob: 150 − 142 = 8
        assert.deepEqual(decodeLogs(f, r), [{ kind: 'ChannelSettled', channel_id: ids.ab.id, p1_amount: '142', p2_amount: '8' }]);
        assert.equal(await token.call(alice.address, 'balanceOf', [alice.address]), before[0] + 142n);
        assert.equal(await token.call(bob.address, 'balanceOf', [bob.address]), before[1] + 8n);
    });

    it('withdraw and cooperative settle on carol–bob', async () => {
        const { chain, tn, token } = f;
        chain.setBlock(400);
        const ch = ids.cb;
        const wmsg = messages.withdraw({ participant: carol.address, balance: 70n, withdraw: 30n, channelId: ch.id,
                                         openBlock: ch.openBlock, chainId: CHAIN_ID });
        let r = await send(chain, carol, tn.address, w('withDraw', token.address, carol.address, bob.address, 70n, 30n,
                                                       signFields(carol, wmsg), signFields(bob, wmsg)));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelWithdraw', channel_id: ch.id, p1: carol.address.toLowerCase(), p1_balance: '40',
            p2: bob.address.toLowerCase(), p2_balance: '30',
        }]);
        chain.setBlock(401);
        const cmsg = messages.cooperativeSettle({ p1: bob.address, p1Balance: 50n, p2: carol.address, p2Balance: 20n,
                                                  channelId: ch.id, openBlock: 400n, chainId: CHAIN_ID });
        r = await send(chain, bob, tn.address, w('cooperativeSettle', token.address, bob.address, 50n, carol.address, 20n,
                                                 signFields(bob, cmsg), signFields(carol, cmsg)));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelCooperativeSettled', channel_id: ch.id, p1_amount: '50', p2_amount: '20',
        }]);
    });

    it('punishObsoleteUnlock: bob unlocks a lock of alice\'s that he disposed', async () => {
        const { chain, tn, sr, token } = f;
        chain.setBlock(500);
        let r = await send(chain, alice, token.address, w('approve', tn.address, 60n));
        r = await send(chain, alice, tn.address, w('deposit', token.address, alice.address, bob.address, 60n, T));
        assert.equal(r.ok, true, r.reason);
        const ch = { id: ids.ab.id, openBlock: 500n };
        const sx = keccakHex('cc-disposed');
        const lk = { expiration: 700n, amount: 9n, secretHash: sha256Hex(hexToBytes(sx)) };
        const lh = lockHash(lk);
        const t1 = new MerkleTree([lh]);
        const aliceBp = bp(alice, ch, { ta: 1n, locksroot: t1.root, nonce: 2n });
        const ah = keccakHex('cc-announce');
        const disposedSig = signFields(bob, messages.disposedProof({
            lockhash: lh, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID, additionalHash: ah,
        }));
        chain.setBlock(501);
        r = await send(chain, bob, tn.address, w('prepareSettle', token.address, alice.address, aliceBp.ta, aliceBp.locksroot,
                                                 aliceBp.nonce, aliceBp.ah, aliceBp.sig));
        assert.equal(r.ok, true, r.reason);
        r = await send(chain, bob, sr.address, w('registerSecret', sx));
        assert.equal(r.ok, true, r.reason);
        r = await send(chain, bob, tn.address, w('unlock', token.address, alice.address, 1n, lk.expiration, lk.amount,
                                                 lk.secretHash, '0x'));
        assert.equal(r.ok, true, r.reason);
        assert.equal(decodeLogs(f, r)[0].payer, alice.address.toLowerCase());
        chain.setBlock(502);
        r = await send(chain, alice, tn.address, w('punishObsoleteUnlock', token.address, alice.address, bob.address, lh,
                                                   ah, disposedSig));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(decodeLogs(f, r), [{
            kind: 'ChannelPunished', channel_id: ch.id, beneficiary: alice.address.toLowerCase(),
        }]);
        assert.deepEqual(eventsOf(tn, r, 'ChannelPunished'), [{ channel_identifier: ch.id, beneficiary: alice.address }]);
    });

    it('a log of another contract is foreign; prepareSettle without a proof closes with nothing recorded', async () => {
        const { chain, tn, token } = f;
        const r = await send(chain, alice, token.address, w('approve', tn.address, 1n));
        assert.equal(r.logs.length, 1);
        const l = r.logs[0];
        assert.deepEqual(JSON.parse(c1(w('event', tn.address, f.sr.address, l.address, l.topics.join(','), bytesToHex(l.data)))),
                         { kind: 'foreign' });
        chain.setBlock(600);
        let x = await send(chain, carol, token.address, w('approve', tn.address, 10n));
        x = await send(chain, carol, tn.address, w('deposit', token.address, carol.address, alice.address, 10n, T));
        assert.equal(x.ok, true, x.reason);
        chain.setBlock(601);
        x = await send(chain, carol, tn.address, w('prepareSettle', token.address, alice.address, 0n, ZERO32, 0n, ZERO32, '-'));
        assert.equal(x.ok, true, x.reason);
        assert.equal(decodeLogs(f, x)[0].kind, 'ChannelClosed');
    });
});
