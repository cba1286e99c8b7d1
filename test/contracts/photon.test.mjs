// photon.test.mjs: the channel-hub contracts (share/contracts/{TokensNetwork, SecretRegistry,
// SMTToken, PhotonTestToken}.json) against shared/spec/photon.md §2: the ABI that Photon nodes
// call, the channel id, the balance hash, every signed message checked against a signature
// computed here from the §2.6 byte layout, the unilateral close timeline (close, update,
// delegated update, unlock with merkle proofs, punish, settle), the settlement math and its
// clamps, withdraw, cooperative settle, the native-coin wrapper, and the revert paths.
// Run by contrib/contracts/test.sh (`node --test`).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
    Chain, loadArtifact, makeKey, selectorOf, signatureOf, keccakHex, hexToBytes, ETHER, ROOT,
} from './harness.mjs';
import {
    PREFIX, ZERO_ADDRESS, ZERO32, u256, u64, addr, b32, cat, sha256Hex, channelIdentifier, balanceHash,
    lockHash, MerkleTree, messages, signFields, signDigest, highSTwin, rawVTwin, sendSig, eventsOf,
    createAddress, depositData, deployNetwork,
} from './photon_harness.mjs';

const CHAIN_ID = 1397769539n; // the regtest network id (src/chain/params.c)
const SUPPLY = 1_000_000n;
const T = 40n; // settle timeout of the test channels
const PUNISH = 257n;
const U64_MAX = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;

const deployer = makeKey('photon-deployer');
const alice = makeKey('photon-alice');
const bob = makeKey('photon-bob');
const carol = makeKey('photon-carol');
const monitor = makeKey('photon-monitor');

function secret(label) {
    return keccakHex('photon-test-secret:' + label);
}

// A chain with TokensNetwork, its SecretRegistry and a PhotonTestToken whose supply is spread
// over alice, bob and carol.
async function fixture() {
    const chain = await Chain.create();
    for (const k of [deployer, alice, bob, carol, monitor]) await chain.fund(k.address, 1000n * ETHER);
    const { tn, sr } = await deployNetwork(chain, deployer.address, CHAIN_ID);
    const token = await chain.deploy('PhotonTestToken', deployer.address, [SUPPLY]);
    for (const k of [alice, bob, carol]) {
        const r = await sendSig(token, deployer.address, 'transfer(address,uint256)', [k.address, 100_000n]);
        assert.equal(r.ok, true, r.reason);
    }
    return { chain, tn, sr, token };
}

// Opens (a, b) with deposits da (by a) and db (by b, if > 0) through approve + deposit, at
// the current block. Returns {id, openBlock}.
async function openChannel(f, a, b, da, db, timeout = T) {
    const { chain, tn, token } = f;
    assert.equal((await token.send(a.address, 'approve', [tn.address, da])).ok, true);
    let r = await tn.send(a.address, 'deposit', [token.address, a.address, b.address, da, timeout]);
    assert.equal(r.ok, true, r.reason);
    if (db > 0n) {
        assert.equal((await token.send(b.address, 'approve', [tn.address, db])).ok, true);
        r = await tn.send(b.address, 'deposit', [token.address, b.address, a.address, db, 0n]);
        assert.equal(r.ok, true, r.reason);
    }
    return { id: channelIdentifier(token.address, a.address, b.address, tn.address), openBlock: chain.number };
}

// A balance proof signed by `signer` for the channel: the prepareSettle / updateBalanceProof
// arguments after (token, partner) and the signature.
function balanceProof(signer, ch, { ta, locksroot = ZERO32, nonce, additionalHash }) {
    const ah = additionalHash ?? keccakHex('additional:' + signer.label + ':' + nonce);
    const sig = signFields(signer, messages.balanceProof({
        ta, locksroot, nonce, additionalHash: ah, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID,
    }));
    return { ta, locksroot, nonce, additionalHash: ah, sig, args: [ta, locksroot, nonce, ah, sig] };
}

async function participant(f, who, partner) {
    const [deposit, bh, nonce] = await f.tn.call(who.address, 'getChannelParticipantInfo',
                                                 [f.token.address, who.address, partner.address]);
    return { deposit, balanceHash: bh, nonce };
}

async function channelState(f, a, b) {
    const [id, settleBlock, openBlock, state, timeout] = await f.tn.call(a.address, 'getChannelInfo',
                                                                         [f.token.address, a.address, b.address]);
    return { id, settleBlock, openBlock, state, timeout };
}

function assertRevert(res, pattern) {
    assert.equal(res.ok, false, 'expected a revert');
    if (pattern) assert.match(String(res.reason), pattern);
}

// ---- 1. ABI and artifacts -----------------------------------------------------------------

// Photon's interface (spec §2.4, §2.9, §2.10): [contract, signature, outputs].
const FUNCTIONS = [
    ['TokensNetwork', 'deposit(address,address,address,uint256,uint64)', []],
    ['TokensNetwork', 'tokenFallback(address,uint256,bytes)', ['bool']],
    ['TokensNetwork', 'receiveApproval(address,uint256,address,bytes)', ['bool']],
    ['TokensNetwork', 'withDraw(address,address,address,uint256,uint256,bytes,bytes)', []],
    ['TokensNetwork', 'prepareSettle(address,address,uint256,bytes32,uint64,bytes32,bytes)', []],
    ['TokensNetwork', 'updateBalanceProof(address,address,uint256,bytes32,uint64,bytes32,bytes)', []],
    ['TokensNetwork', 'updateBalanceProofDelegate(address,address,address,uint256,bytes32,uint64,bytes32,bytes,bytes)', []],
    ['TokensNetwork', 'unlock(address,address,uint256,uint256,uint256,bytes32,bytes)', []],
    ['TokensNetwork', 'unlockDelegate(address,address,address,uint256,uint256,uint256,bytes32,bytes,bytes)', []],
    ['TokensNetwork', 'punishObsoleteUnlock(address,address,address,bytes32,bytes32,bytes)', []],
    ['TokensNetwork', 'settle(address,address,uint256,bytes32,address,uint256,bytes32)', []],
    ['TokensNetwork', 'cooperativeSettle(address,address,uint256,address,uint256,bytes,bytes)', []],
    ['TokensNetwork', 'getChannelInfo(address,address,address)', ['bytes32', 'uint64', 'uint64', 'uint8', 'uint64']],
    ['TokensNetwork', 'getChannelInfoByChannelIdentifier(bytes32)', ['uint64', 'uint64', 'uint8', 'uint64']],
    ['TokensNetwork', 'getChannelParticipantInfo(address,address,address)', ['uint256', 'bytes24', 'uint64']],
    ['TokensNetwork', 'queryUnlockedLocks(address,address,address,bytes32)', ['bool']],
    ['TokensNetwork', 'chain_id()', ['uint256']],
    ['TokensNetwork', 'secret_registry()', ['address']],
    ['TokensNetwork', 'punish_block_number()', ['uint64']],
    ['TokensNetwork', 'registered_token(address)', ['bool']],
    ['TokensNetwork', 'channels(bytes32)', ['uint64', 'uint64', 'uint64', 'uint8']],
    ['TokensNetwork', 'contract_version()', ['string']],
    ['TokensNetwork', 'signature_prefix()', ['string']],
    ['TokensNetwork', 'contractExists(address)', ['bool']],
    ['SecretRegistry', 'registerSecret(bytes32)', ['bool']],
    ['SecretRegistry', 'getSecretRevealBlockHeight(bytes32)', ['uint256']],
    ['SecretRegistry', 'secrethash_to_block(bytes32)', ['uint256']],
    ['SecretRegistry', 'contract_version()', ['string']],
];

// [contract, event signature, indexed flags].
const EVENTS = [
    ['TokensNetwork', 'TokenNetworkCreated(address)', [true]],
    ['TokensNetwork', 'ChannelOpenedAndDeposit(address,address,address,uint64,uint256)', [true, false, false, false, false]],
    ['TokensNetwork', 'ChannelNewDeposit(bytes32,address,uint256)', [true, false, false]],
    ['TokensNetwork', 'ChannelClosed(bytes32,address,bytes32,uint256)', [true, false, false, false]],
    ['TokensNetwork', 'ChannelUnlocked(bytes32,address,bytes32,uint256)', [true, false, false, false]],
    ['TokensNetwork', 'BalanceProofUpdated(bytes32,address,bytes32,uint256)', [true, false, false, false]],
    ['TokensNetwork', 'ChannelPunished(bytes32,address)', [true, false]],
    ['TokensNetwork', 'ChannelSettled(bytes32,uint256,uint256)', [true, false, false]],
    ['TokensNetwork', 'ChannelCooperativeSettled(bytes32,uint256,uint256)', [true, false, false]],
    ['TokensNetwork', 'ChannelWithdraw(bytes32,address,uint256,address,uint256)', [true, false, false, false, false]],
    ['SecretRegistry', 'SecretRevealed(bytes32)', [true]],
];

const NAMES = ['TokensNetwork', 'SecretRegistry', 'SMTToken', 'PhotonTestToken'];

const POST_BYZANTIUM = new Map([
    [0x1b, 'SHL'], [0x1c, 'SHR'], [0x1d, 'SAR'], [0x3f, 'EXTCODEHASH'], [0xf5, 'CREATE2'],
    [0x46, 'CHAINID'], [0x47, 'SELFBALANCE'], [0x48, 'BASEFEE'], [0x5f, 'PUSH0'],
    [0x5c, 'TLOAD'], [0x5d, 'TSTORE'], [0x5e, 'MCOPY'],
]);

// Opcodes used by code (PUSH data skipped).
function opcodes(code) {
    const ops = new Set();
    for (let pc = 0; pc < code.length; pc++) {
        ops.add(code[pc]);
        if (code[pc] >= 0x60 && code[pc] <= 0x7f) pc += code[pc] - 0x5f;
    }
    return ops;
}

// Code without solc's CBOR metadata (its length is in the last 2 bytes).
function stripMetadata(code) {
    const len = (code[code.length - 2] << 8) | code[code.length - 1];
    return code.slice(0, code.length - len - 2);
}

describe('channel contracts: ABI and artifacts', () => {
    const arts = Object.fromEntries(NAMES.map((n) => [n, loadArtifact(n)]));

    it('TokensNetwork and SecretRegistry have exactly the functions Photon nodes call, with their outputs', () => {
        for (const name of ['TokensNetwork', 'SecretRegistry']) {
            const want = FUNCTIONS.filter(([n]) => n === name);
            const have = arts[name].abi.filter((e) => e.type === 'function');
            assert.deepEqual(have.map(signatureOf).sort(), want.map(([, s]) => s).sort(), `${name} functions`);
            for (const [, sig, outputs] of want) {
                const f = have.find((e) => signatureOf(e) === sig);
                assert.deepEqual(f.outputs.map((o) => o.type), outputs, `${name}.${sig} outputs`);
                assert.notEqual(f.stateMutability, 'payable', `${name}.${sig} must not be payable`);
            }
        }
    });

    it('events have the Photon signatures, topics and indexed fields', () => {
        for (const name of ['TokensNetwork', 'SecretRegistry']) {
            const want = EVENTS.filter(([n]) => n === name);
            const have = arts[name].abi.filter((e) => e.type === 'event');
            assert.deepEqual(have.map(signatureOf).sort(), want.map(([, s]) => s).sort(), `${name} events`);
            for (const [, sig, indexed] of want) {
                const e = have.find((x) => signatureOf(x) === sig);
                assert.deepEqual(e.inputs.map((i) => i.indexed), indexed, `${sig} indexed fields`);
            }
        }
    });

    it('the deposit entry points have the ERC223 / approveAndCall selectors tokens call', () => {
        // Well-known selectors: ERC223 tokenFallback and transfer with data, approveAndCall's
        // receiveApproval; the hub and Photon nodes call buyAndTransfer on SMTToken.
        assert.equal(selectorOf('tokenFallback(address,uint256,bytes)'), '0xc0ee0b8a');
        assert.equal(selectorOf('receiveApproval(address,uint256,address,bytes)'), '0x8f4ffcb1');
        const tokenFns = arts.PhotonTestToken.abi.filter((e) => e.type === 'function').map(signatureOf);
        assert.ok(tokenFns.includes('transfer(address,uint256,bytes)'));
        assert.equal(selectorOf('transfer(address,uint256,bytes)'), '0xbe45fd62');
        assert.ok(tokenFns.includes('approveAndCall(address,uint256,bytes)'));
        assert.equal(selectorOf('approveAndCall(address,uint256,bytes)'), '0xcae9ca51');
        const buy = arts.SMTToken.abi.find((e) => e.name === 'buyAndTransfer');
        assert.equal(signatureOf(buy), 'buyAndTransfer(bytes)');
        assert.equal(buy.stateMutability, 'payable');
        for (const e of arts.SMTToken.abi.filter((x) => x.type === 'function' && x.name !== 'buyAndTransfer')) {
            assert.notEqual(e.stateMutability, 'payable', `SMTToken.${e.name} must not be payable`);
        }
    });

    it('bytecode uses only Byzantium opcodes and fits EIP-170', () => {
        for (const name of NAMES) {
            const runtime = hexToBytes(arts[name].deployedBytecode);
            assert.ok(runtime.length <= 24576, `${name}: ${runtime.length} bytes of runtime code`);
            const at = arts[name].bytecode.slice(2).indexOf(arts[name].deployedBytecode.slice(2));
            assert.ok(at > 0 && at % 2 === 0, `${name}: creation code does not contain the runtime code`);
            const init = hexToBytes(arts[name].bytecode).slice(0, at / 2);
            for (const code of [stripMetadata(runtime), init]) {
                const ops = opcodes(code);
                for (const [op, mnemonic] of POST_BYZANTIUM) assert.ok(!ops.has(op), `${name} uses ${mnemonic}`);
            }
        }
    });

    it('artifacts record the compiler and settings and match the current sources', () => {
        for (const name of NAMES) {
            assert.equal(arts[name].contractName, name);
            assert.match(arts[name].solcVersion, /^0\.5\.17\+commit\./);
            assert.equal(arts[name].settings.evmVersion, 'byzantium');
            assert.equal(arts[name].settings.optimizer.enabled, true);
            const src = fs.readFileSync(path.join(ROOT, 'contrib', 'contracts', name + '.sol'));
            assert.equal(arts[name].sourceSha256, crypto.createHash('sha256').update(src).digest('hex'),
                         `share/contracts/${name}.json is stale (run contrib/contracts/build.sh)`);
        }
    });

    it('the constructor stores chain_id and creates the SecretRegistry artifact at CREATE(TokensNetwork, 1)', async () => {
        const chain = await Chain.create();
        await chain.fund(deployer.address, ETHER);
        const { tn, sr } = await deployNetwork(chain, deployer.address, CHAIN_ID);
        assert.equal(await tn.call(deployer.address, 'chain_id'), CHAIN_ID);
        assert.equal(sr.address, createAddress(tn.address, 1));
        // Same code as the committed SecretRegistry artifact (TokensNetwork.sol imports it).
        assert.equal(await chain.code(sr.address), arts.SecretRegistry.deployedBytecode);
        assert.equal(await tn.call(deployer.address, 'punish_block_number'), 257n);
        assert.equal(await tn.call(deployer.address, 'signature_prefix'), PREFIX);
        assert.ok((await tn.call(deployer.address, 'contract_version')).startsWith('0.6'));
        assert.ok((await sr.call(deployer.address, 'contract_version')).startsWith('0.6'));
        // chain_id 0 is refused
        const art = loadArtifact('TokensNetwork');
        const res = await chain.run({ from: deployer.address, data: cat(hexToBytes(art.bytecode), u256(0n)) });
        assertRevert(res, /chain_id/);
    });

    it('storage layout: slot 0 chain_id, slot 1 secret_registry (what a genesis alloc would preset)', async () => {
        const chain = await Chain.create();
        await chain.fund(deployer.address, ETHER);
        const { tn, sr } = await deployNetwork(chain, deployer.address, CHAIN_ID);
        const { util } = await import('../../contrib/contracts/deps.mjs');
        const read = async (slot) => util.bytesToBigInt(await chain.evm.stateManager.getStorage(
            util.createAddressFromString(tn.address), u256(slot)));
        assert.equal(await read(0n), CHAIN_ID);
        assert.equal(await read(1n), BigInt(sr.address));
    });
});

// ---- 2. SecretRegistry ---------------------------------------------------------------------

describe('SecretRegistry', () => {
    let f;
    before(async () => { f = await fixture(); });

    it('records the block under sha256(secret), not keccak256, and emits the secret', async () => {
        const s = secret('registry');
        f.chain.setBlock(42);
        const r = await f.sr.send(carol.address, 'registerSecret', [s]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(r.out, [true]);
        assert.equal(await f.sr.call(carol.address, 'getSecretRevealBlockHeight', [sha256Hex(hexToBytes(s))]), 42n);
        assert.equal(await f.sr.call(carol.address, 'secrethash_to_block', [sha256Hex(hexToBytes(s))]), 42n);
        assert.equal(await f.sr.call(carol.address, 'getSecretRevealBlockHeight', [keccakHex(hexToBytes(s))]), 0n);
        assert.deepEqual(eventsOf(f.sr, r, 'SecretRevealed'), [{ secret: s }]);
    });

    it('refuses the zero secret and a second registration (the block never moves)', async () => {
        assertRevert(await f.sr.send(carol.address, 'registerSecret', [ZERO32]), /zero secret/);
        f.chain.setBlock(50);
        assertRevert(await f.sr.send(bob.address, 'registerSecret', [secret('registry')]), /already registered/);
        assert.equal(await f.sr.call(carol.address, 'getSecretRevealBlockHeight',
                                     [sha256Hex(hexToBytes(secret('registry')))]), 42n);
    });
});

// ---- 3. Opening and deposits ----------------------------------------------------------------

describe('TokensNetwork: opening and deposits', () => {
    let f;
    before(async () => { f = await fixture(); f.chain.setBlock(10); });

    it('deposit (approve + transferFrom) opens the channel, registers the token once, and moves the tokens', async () => {
        const { tn, token } = f;
        assert.equal((await token.send(alice.address, 'approve', [tn.address, 100n])).ok, true);
        const r = await tn.send(alice.address, 'deposit', [token.address, alice.address, bob.address, 100n, T]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'TokenNetworkCreated'), [{ token_address: token.address }]);
        assert.deepEqual(eventsOf(tn, r, 'ChannelOpenedAndDeposit'), [{
            token: token.address, participant: alice.address, partner: bob.address, settle_timeout: T,
            participant1_deposit: 100n,
        }]);
        assert.equal(await tn.call(alice.address, 'registered_token', [token.address]), true);
        assert.equal(await token.call(alice.address, 'balanceOf', [tn.address]), 100n);
        assert.equal(await token.call(alice.address, 'balanceOf', [alice.address]), 100_000n - 100n);
        assert.equal((await participant(f, alice, bob)).deposit, 100n);
        assert.equal((await participant(f, bob, alice)).deposit, 0n);
    });

    it('the channel id is keccak256(lo ‖ hi ‖ token ‖ TokensNetwork), whatever the argument order', async () => {
        const { tn, token } = f;
        const [lo, hi] = BigInt(alice.address) < BigInt(bob.address) ? [alice, bob] : [bob, alice];
        const expected = keccakHex(cat(addr(lo.address), addr(hi.address), addr(token.address), addr(tn.address)));
        const ab = await channelState(f, alice, bob);
        const ba = await channelState(f, bob, alice);
        assert.equal(ab.id, expected);
        assert.equal(ba.id, expected);
        assert.deepEqual([ab.settleBlock, ab.openBlock, ab.state, ab.timeout], [0n, 10n, 1n, T]);
        assert.deepEqual(await tn.call(alice.address, 'getChannelInfoByChannelIdentifier', [expected]), [0n, 10n, 1n, T]);
        assert.deepEqual(await tn.call(alice.address, 'channels', [expected]), [T, 0n, 10n, 1n]);
    });

    it('ERC223 transfer(to, value, data) deposits through tokenFallback; settle_timeout is ignored once open', async () => {
        const { tn, token } = f;
        f.chain.setBlock(11);
        const r = await sendSig(token, bob.address, 'transfer(address,uint256,bytes)',
                                [tn.address, 50n, depositData(bob.address, alice.address, 999_999_999n)]);
        assert.equal(r.ok, true, r.reason);
        const id = channelIdentifier(token.address, alice.address, bob.address, tn.address);
        assert.deepEqual(eventsOf(tn, r, 'ChannelNewDeposit'), [{ channel_identifier: id, participant: bob.address, total_deposit: 50n }]);
        assert.deepEqual(eventsOf(tn, r, 'TokenNetworkCreated'), []);
        const st = await channelState(f, alice, bob);
        assert.deepEqual([st.timeout, st.openBlock], [T, 10n]);
        assert.equal(await token.call(bob.address, 'balanceOf', [tn.address]), 150n);
    });

    it('approveAndCall deposits through receiveApproval (transferFrom of the approver)', async () => {
        const { tn, token } = f;
        const r = await token.send(alice.address, 'approveAndCall', [tn.address, 25n, depositData(alice.address, bob.address, T)]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(eventsOf(tn, r, 'ChannelNewDeposit')[0].total_deposit, 125n);
        assert.equal(await token.call(bob.address, 'balanceOf', [tn.address]), 175n);
        assert.equal((await participant(f, alice, bob)).deposit, 125n);
    });

    it('anyone may deposit for a participant; the payer is msg.sender', async () => {
        const { tn, token } = f;
        assert.equal((await token.send(carol.address, 'approve', [tn.address, 5n])).ok, true);
        const r = await tn.send(carol.address, 'deposit', [token.address, bob.address, alice.address, 5n, 0n]);
        assert.equal(r.ok, true, r.reason);
        assert.equal((await participant(f, bob, alice)).deposit, 55n);
        assert.equal(await token.call(carol.address, 'balanceOf', [carol.address]), 100_000n - 5n);
    });

    it('refuses receiveApproval not sent by the token itself (it would spend another holder\'s allowance)', async () => {
        const { tn, token } = f;
        assert.equal((await token.send(alice.address, 'approve', [tn.address, 10n])).ok, true);
        const r = await tn.send(carol.address, 'receiveApproval',
                                [alice.address, 10n, token.address, depositData(carol.address, alice.address, T)]);
        assertRevert(r, /not called by the token/);
        assert.equal((await token.send(alice.address, 'approve', [tn.address, 0n])).ok, true);
    });

    it('refuses deposit data that is not three words or holds a bad address', async () => {
        const { tn, token } = f;
        const short = depositData(carol.address, alice.address, T).slice(0, 2 + 2 * 64);
        assertRevert(await sendSig(token, carol.address, 'transfer(address,uint256,bytes)', [tn.address, 1n, short]),
                     /3 words/);
        const dirty = '0x' + 'ff'.repeat(12) + carol.address.slice(2) + depositData(carol.address, alice.address, T).slice(2 + 64);
        assertRevert(await sendSig(token, carol.address, 'transfer(address,uint256,bytes)', [tn.address, 1n, dirty]),
                     /bad address/);
        // a plain ERC223 transfer with no data is refused too
        assertRevert(await sendSig(token, carol.address, 'transfer(address,uint256,bytes)', [tn.address, 1n, '0x']),
                     /3 words/);
    });

    it('refuses zero amounts, zero or equal participants, and settle timeouts outside 6..2,700,000', async () => {
        const { tn, token } = f;
        const dep = (p, q, amount, timeout) => tn.send(carol.address, 'deposit', [token.address, p, q, amount, timeout]);
        assert.equal((await token.send(carol.address, 'approve', [tn.address, 1000n])).ok, true);
        assertRevert(await dep(carol.address, alice.address, 0n, T), /zero deposit/);
        assertRevert(await dep(ZERO_ADDRESS, alice.address, 1n, T), /zero participant/);
        assertRevert(await dep(carol.address, ZERO_ADDRESS, 1n, T), /zero participant/);
        assertRevert(await dep(carol.address, carol.address, 1n, T), /participant is partner/);
        assertRevert(await dep(carol.address, alice.address, 1n, 5n), /settle_timeout out of bounds/);
        assertRevert(await dep(carol.address, alice.address, 1n, 2_700_001n), /settle_timeout out of bounds/);
        let r = await dep(carol.address, alice.address, 1n, 6n);
        assert.equal(r.ok, true, r.reason);
        r = await dep(carol.address, bob.address, 1n, 2_700_000n);
        assert.equal(r.ok, true, r.reason);
        assert.equal((await channelState(f, carol, bob)).timeout, 2_700_000n);
    });

    it('refuses a deposit the payer has not approved (transferFrom fails, nothing changes)', async () => {
        const { tn, token } = f;
        const before = (await participant(f, alice, bob)).deposit;
        assertRevert(await tn.send(alice.address, 'deposit', [token.address, alice.address, bob.address, 1n, T]),
                     /allowance exceeded/);
        assert.equal((await participant(f, alice, bob)).deposit, before);
    });

    it('validates a token on first use: it must be a contract with a positive totalSupply', async () => {
        const { chain, tn } = f;
        assertRevert(await tn.send(alice.address, 'deposit', [carol.address, alice.address, bob.address, 1n, T]),
                     /not a contract/);
        const empty = await chain.deploy('PhotonTestToken', deployer.address, [0n]);
        assertRevert(await tn.send(alice.address, 'deposit', [empty.address, alice.address, bob.address, 1n, T]),
                     /no supply/);
        assert.equal(await tn.call(alice.address, 'registered_token', [empty.address]), false);
        assert.equal(await tn.call(alice.address, 'contractExists', [empty.address]), true);
        assert.equal(await tn.call(alice.address, 'contractExists', [carol.address]), false);
    });

    it('refuses a deposit into a closed channel', async () => {
        const { tn, token } = f;
        f.chain.setBlock(12);
        assert.equal((await tn.send(alice.address, 'prepareSettle',
                                    [token.address, bob.address, 0n, ZERO32, 0n, ZERO32, '0x'])).ok, true);
        assert.equal((await token.send(alice.address, 'approve', [tn.address, 1n])).ok, true);
        assertRevert(await tn.send(alice.address, 'deposit', [token.address, alice.address, bob.address, 1n, T]),
                     /not open/);
    });
});

// ---- 4. Unilateral close: close, update, unlock, settle --------------------------------------

describe('TokensNetwork: close, update, unlock with a 3-lock merkle proof, settle', () => {
    let f, ch;
    // Locks that bob pays alice, in bob's balance proof (insertion order).
    const s = [secret('lock-1'), secret('lock-2'), secret('lock-3')];
    const locks = [
        { expiration: 100n, amount: 5n, secretHash: sha256Hex(hexToBytes(s[0])) },
        { expiration: 45n, amount: 7n, secretHash: sha256Hex(hexToBytes(s[1])) },
        { expiration: 100n, amount: 11n, secretHash: sha256Hex(hexToBytes(s[2])) },
    ];
    const leaves = locks.map(lockHash);
    const tree = new MerkleTree(leaves);
    let bobOld, bobNew, aliceBp;

    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 50n);
        bobOld = balanceProof(bob, ch, { ta: 10n, nonce: 1n });
        bobNew = balanceProof(bob, ch, { ta: 30n, locksroot: tree.root, nonce: 3n });
        aliceBp = balanceProof(alice, ch, { ta: 10n, nonce: 2n });
    });

    it('the lock hash and the 3-leaf tree are as computed by hand (smaller first, odd leaf promoted)', () => {
        const pair = (x, y) => keccakHex(cat(...[x, y].sort((p, q) => (BigInt(p) < BigInt(q) ? -1 : 1)).map(b32)));
        assert.equal(leaves[0], keccakHex(cat(u256(100n), u256(5n), b32(locks[0].secretHash))));
        assert.equal(tree.root, pair(pair(leaves[0], leaves[1]), leaves[2]));
        assert.equal(tree.proof(0), '0x' + leaves[1].slice(2) + leaves[2].slice(2));
        assert.equal(tree.proof(2), pair(leaves[0], leaves[1]));
    });

    it('prepareSettle by alice records bob\'s (old) balance proof and starts the settle window', async () => {
        const { tn, token } = f;
        f.chain.setBlock(20);
        const r = await tn.send(alice.address, 'prepareSettle', [token.address, bob.address, ...bobOld.args]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'ChannelClosed'), [{
            channel_identifier: ch.id, closing_participant: alice.address, locksroot: ZERO32, transferred_amount: 10n,
        }]);
        const st = await channelState(f, alice, bob);
        assert.deepEqual([st.state, st.settleBlock], [2n, 20n + T]);
        const b = await participant(f, bob, alice);
        assert.deepEqual([b.balanceHash, b.nonce], [balanceHash(10n, ZERO32), 1n]);
        assertRevert(await tn.send(bob.address, 'prepareSettle', [token.address, alice.address, ...aliceBp.args]), /not open/);
    });

    it('updateBalanceProof: bob (not the closer) submits alice\'s proof', async () => {
        const { tn, token } = f;
        f.chain.setBlock(21);
        const r = await tn.send(bob.address, 'updateBalanceProof', [token.address, alice.address, ...aliceBp.args]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'BalanceProofUpdated'), [{
            channel_identifier: ch.id, participant: alice.address, locksroot: ZERO32, transferred_amount: 10n,
        }]);
        assert.equal((await participant(f, alice, bob)).nonce, 2n);
    });

    it('updateBalanceProof: a newer nonce replaces the stored proof; the same or an older one is refused', async () => {
        const { tn, token } = f;
        f.chain.setBlock(22);
        assertRevert(await tn.send(bob.address, 'updateBalanceProof', [token.address, alice.address, ...aliceBp.args]),
                     /nonce not newer/);
        const r = await tn.send(alice.address, 'updateBalanceProof', [token.address, bob.address, ...bobNew.args]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'BalanceProofUpdated')[0].locksroot, tree.root);
        const b = await participant(f, bob, alice);
        assert.deepEqual([b.balanceHash, b.nonce], [balanceHash(30n, tree.root), 3n]);
        assertRevert(await tn.send(alice.address, 'updateBalanceProof', [token.address, bob.address, ...bobOld.args]),
                     /nonce not newer/);
    });

    it('updateBalanceProof refuses a proof not signed by the partner, and non-participants', async () => {
        const { tn, token } = f;
        const forged = balanceProof(alice, ch, { ta: 0n, nonce: 9n }); // alice signs "bob's" proof
        assertRevert(await tn.send(alice.address, 'updateBalanceProof', [token.address, bob.address, ...forged.args]),
                     /not signed by partner/);
        const bobs = balanceProof(bob, ch, { ta: 0n, nonce: 9n });
        assertRevert(await tn.send(carol.address, 'updateBalanceProof', [token.address, bob.address, ...bobs.args]),
                     /not closed/);
    });

    it('unlock refuses a secret that is not registered', async () => {
        const { tn, token } = f;
        f.chain.setBlock(25);
        const l = locks[0];
        assertRevert(await tn.send(alice.address, 'unlock',
                                   [token.address, bob.address, 30n, l.expiration, l.amount, l.secretHash, tree.proof(0)]),
                     /secret not registered/);
    });

    it('unlock claims a lock of the partner\'s proof with a merkle proof, after the secret is registered', async () => {
        const { tn, sr, token } = f;
        f.chain.setBlock(30);
        assert.equal((await sr.send(alice.address, 'registerSecret', [s[0]])).ok, true);
        assert.equal((await sr.send(alice.address, 'registerSecret', [s[2]])).ok, true);
        f.chain.setBlock(50); // lock 2 expires at 45: its secret comes too late
        assert.equal((await sr.send(alice.address, 'registerSecret', [s[1]])).ok, true);
        const l = locks[0];
        const r = await tn.send(alice.address, 'unlock',
                                [token.address, bob.address, 30n, l.expiration, l.amount, l.secretHash, tree.proof(0)]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'ChannelUnlocked'), [{
            channel_identifier: ch.id, payer_participant: bob.address, lockhash: leaves[0], transferred_amount: 35n,
        }]);
        // locksroot stays, transferred amount grows
        assert.equal((await participant(f, bob, alice)).balanceHash, balanceHash(35n, tree.root));
        assert.equal(await tn.call(alice.address, 'queryUnlockedLocks', [token.address, bob.address, alice.address, leaves[0]]), true);
        assert.equal(await tn.call(alice.address, 'queryUnlockedLocks', [token.address, bob.address, alice.address, leaves[2]]), false);
    });

    it('unlock refuses a replay, a stale transferred amount, a bad proof and a late secret', async () => {
        const { tn, token } = f;
        const [l1, l2, l3] = locks;
        const unlock = (l, ta, proof, from = alice) =>
            tn.send(from.address, 'unlock', [token.address, bob.address, ta, l.expiration, l.amount, l.secretHash, proof]);
        assertRevert(await unlock(l1, 35n, tree.proof(0)), /already unlocked/);
        assertRevert(await unlock(l3, 30n, tree.proof(2)), /does not match/);
        assertRevert(await unlock(l3, 35n, tree.proof(0)), /does not match/);
        assertRevert(await unlock(l3, 35n, tree.proof(2) + '00'), /whole words/);
        assertRevert(await unlock({ ...l3, amount: 12n }, 35n, tree.proof(2)), /does not match/);
        assertRevert(await unlock(l2, 35n, tree.proof(1)), /after the lock expired/);
        // bob cannot claim locks of his own proof: alice's stored hash does not hold them
        assertRevert(await tn.send(bob.address, 'unlock',
                                   [token.address, alice.address, 35n, l3.expiration, l3.amount, l3.secretHash, tree.proof(2)]),
                     /does not match/);
        const r = await unlock(l3, 35n, tree.proof(2));
        assert.equal(r.ok, true, r.reason);
        assert.equal(eventsOf(tn, r, 'ChannelUnlocked')[0].transferred_amount, 46n);
    });

    it('after the settle window, updates and unlocks are refused; settle waits 257 more blocks', async () => {
        const { tn, token } = f;
        f.chain.setBlock(20n + T + 1n);
        const newer = balanceProof(bob, ch, { ta: 46n, locksroot: tree.root, nonce: 4n });
        assertRevert(await tn.send(alice.address, 'updateBalanceProof', [token.address, bob.address, ...newer.args]),
                     /window over/);
        const l = locks[1];
        assertRevert(await tn.send(alice.address, 'unlock',
                                   [token.address, bob.address, 46n, l.expiration, l.amount, l.secretHash, tree.proof(1)]),
                     /window over/);
        f.chain.setBlock(20n + T + PUNISH);
        assertRevert(await tn.send(carol.address, 'settle',
                                   [token.address, alice.address, 10n, ZERO32, bob.address, 46n, tree.root]),
                     /settle window not over/);
    });

    it('settle refuses (transferred amount, locksroot) pairs that do not match the stored hashes', async () => {
        const { tn, token } = f;
        f.chain.setBlock(20n + T + PUNISH + 1n);
        assertRevert(await tn.send(carol.address, 'settle',
                                   [token.address, alice.address, 10n, ZERO32, bob.address, 30n, tree.root]),
                     /participant2 balance proof does not match/);
        assertRevert(await tn.send(carol.address, 'settle',
                                   [token.address, alice.address, 0n, ZERO32, bob.address, 46n, tree.root]),
                     /participant1 balance proof does not match/);
    });

    it('settle pays deposit + received − sent to each side (§2.7) and deletes the channel', async () => {
        const { tn, token } = f;
        const aliceBefore = await token.call(alice.address, 'balanceOf', [alice.address]);
        const bobBefore = await token.call(bob.address, 'balanceOf', [bob.address]);
        const r = await tn.send(carol.address, 'settle',
                                [token.address, alice.address, 10n, ZERO32, bob.address, 46n, tree.root]);
        assert.equal(r.ok, true, r.reason);
        // alice: 100 + 46 − 10 = 136; bob: 150 − 136 = 14 (lock 2 never unlocked: back to bob)
        assert.deepEqual(eventsOf(tn, r, 'ChannelSettled'), [{
            channel_identifier: ch.id, participant1_amount: 136n, participant2_amount: 14n,
        }]);
        assert.equal(await token.call(alice.address, 'balanceOf', [alice.address]), aliceBefore + 136n);
        assert.equal(await token.call(bob.address, 'balanceOf', [bob.address]), bobBefore + 14n);
        assert.equal(await token.call(bob.address, 'balanceOf', [tn.address]), 0n);
        const st = await channelState(f, alice, bob);
        assert.deepEqual([st.state, st.settleBlock, st.openBlock, st.timeout], [0n, 0n, 0n, 0n]);
        for (const [p, q] of [[alice, bob], [bob, alice]]) {
            assert.deepEqual(Object.values(await participant(f, p, q)), [0n, '0x' + '00'.repeat(24), 0n]);
        }
        assertRevert(await tn.send(carol.address, 'settle',
                                   [token.address, alice.address, 10n, ZERO32, bob.address, 46n, tree.root]),
                     /not closed/);
    });
});

// ---- 5. Delegated update and unlock (monitoring service) ---------------------------------------

describe('TokensNetwork: updateBalanceProofDelegate and unlockDelegate', () => {
    let f, ch;
    const s = secret('delegate-lock');
    const lock = { expiration: 500n, amount: 9n, secretHash: sha256Hex(hexToBytes(s)) };
    const other = { expiration: 500n, amount: 1n, secretHash: sha256Hex(hexToBytes(secret('other'))) };
    const tree = new MerkleTree([lockHash(other), lockHash(lock)]);
    let aliceBp;

    // bob's delegation of alice's proof to a monitoring service.
    const delegation = (signer, bp) => signFields(signer, messages.balanceProofDelegate({
        ta: bp.ta, locksroot: bp.locksroot, nonce: bp.nonce, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID,
    }));

    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 100n);
        aliceBp = balanceProof(alice, ch, { ta: 25n, locksroot: tree.root, nonce: 4n });
        f.chain.setBlock(20); // alice closes without bob's proof: window [20, 60], second half from 40
        const r = await f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, 0n, ZERO32, 0n, ZERO32, '0x']);
        assert.equal(r.ok, true, r.reason);
        assert.equal((await participant(f, bob, alice)).balanceHash, '0x' + '00'.repeat(24));
    });

    const update = (from, bp, participantSig) => f.tn.send(from.address, 'updateBalanceProofDelegate', [
        f.token.address, alice.address, bob.address, bp.ta, bp.locksroot, bp.nonce, bp.additionalHash, bp.sig, participantSig,
    ]);

    it('is refused in the first half of the settle window', async () => {
        f.chain.setBlock(39);
        assertRevert(await update(monitor, aliceBp, delegation(bob, aliceBp)), /second half/);
    });

    it('needs the participant\'s BalanceProofDelegate signature (144-byte layout)', async () => {
        f.chain.setBlock(40);
        assertRevert(await update(monitor, aliceBp, delegation(carol, aliceBp)), /not signed by participant/);
        // the participant signing the 176-byte BalanceProof layout instead does not count
        const wrongLayout = signFields(bob, messages.balanceProof({
            ta: aliceBp.ta, locksroot: aliceBp.locksroot, nonce: aliceBp.nonce, additionalHash: aliceBp.additionalHash,
            channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID,
        }));
        assertRevert(await update(monitor, aliceBp, wrongLayout), /not signed by participant/);
    });

    it('records the partner\'s proof in the second half, submitted by anyone', async () => {
        const r = await update(monitor, aliceBp, delegation(bob, aliceBp));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'BalanceProofUpdated'), [{
            channel_identifier: ch.id, participant: alice.address, locksroot: tree.root, transferred_amount: 25n,
        }]);
        const a = await participant(f, alice, bob);
        assert.deepEqual([a.balanceHash, a.nonce], [balanceHash(25n, tree.root), 4n]);
        assertRevert(await update(monitor, aliceBp, delegation(bob, aliceBp)), /nonce not newer/);
    });

    it('unlockDelegate claims a lock for the participant with an UnlockDelegate signature naming the caller', async () => {
        assert.equal((await f.sr.send(monitor.address, 'registerSecret', [s])).ok, true);
        const fields = messages.unlockDelegate({
            delegatee: monitor.address, expiration: lock.expiration, amount: lock.amount, secretHash: lock.secretHash,
            channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID,
        });
        assert.equal(fields.length, 188);
        const sig = signFields(bob, fields);
        const args = [f.token.address, alice.address, bob.address, 25n, lock.expiration, lock.amount, lock.secretHash,
                      tree.proof(1), sig];
        // someone else cannot use the monitor's delegation
        assertRevert(await f.tn.send(carol.address, 'unlockDelegate', args), /not signed by participant/);
        // photon.md §9: photonapi.go's variant with transferred_amount after the delegatee is not what the contract checks
        const apiVariant = signDigest(bob, keccakHex(cat(new TextEncoder().encode(PREFIX + '188'),
                                                         addr(monitor.address), u256(25n), fields.slice(20))));
        assertRevert(await f.tn.send(monitor.address, 'unlockDelegate', [...args.slice(0, 8), apiVariant]),
                     /not signed by participant/);
        const r = await f.tn.send(monitor.address, 'unlockDelegate', args);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelUnlocked'), [{
            channel_identifier: ch.id, payer_participant: alice.address, lockhash: lockHash(lock), transferred_amount: 34n,
        }]);
        assert.equal(await f.tn.call(bob.address, 'queryUnlockedLocks', [f.token.address, alice.address, bob.address, lockHash(lock)]), true);
    });

    it('is refused after the settle window', async () => {
        f.chain.setBlock(61);
        const newer = balanceProof(alice, ch, { ta: 34n, locksroot: tree.root, nonce: 5n });
        assertRevert(await update(monitor, newer, delegation(bob, newer)), /window over/);
    });
});

// ---- 6. Settlement math clamps ---------------------------------------------------------------

describe('TokensNetwork: settlement clamps (§2.7)', () => {
    let f;
    before(async () => { f = await fixture(); });

    // Opens (p, q) with deposits dp, dq at block b, closes at b + 1 by `closer` with `proof`
    // (a balance proof of the other side, or null), then moves past the punish period.
    async function closedChannel(p, q, dp, dq, b, closer, proofOf) {
        f.chain.setBlock(b);
        const ch = await openChannel(f, p, q, dp, dq);
        f.chain.setBlock(b + 1n);
        const partner = closer === p ? q : p;
        const bp = proofOf ? proofOf(ch) : { args: [0n, ZERO32, 0n, ZERO32, '0x'] };
        const r = await f.tn.send(closer.address, 'prepareSettle', [f.token.address, partner.address, ...bp.args]);
        assert.equal(r.ok, true, r.reason);
        f.chain.setBlock(b + 1n + T + PUNISH + 1n);
        return ch;
    }

    it('a side that sent more than its deposit plus what it received gets 0', async () => {
        // alice signed that she sent 25 though she deposited 10; bob sent nothing
        await closedChannel(alice, bob, 10n, 10n, 100n, bob, (ch) => balanceProof(alice, ch, { ta: 25n, nonce: 1n }));
        const r = await f.tn.send(carol.address, 'settle', [f.token.address, alice.address, 25n, ZERO32, bob.address, 0n, ZERO32]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelSettled').map((e) => [e.participant1_amount, e.participant2_amount]), [[0n, 20n]]);
    });

    it('a side owed more than the channel holds gets the total, even for a transferred amount near 2^256', async () => {
        // carol signed a transferred amount of 2^256 − 1; alice sent nothing
        await closedChannel(alice, carol, 10n, 10n, 1000n, alice,
                            (ch) => balanceProof(carol, ch, { ta: U256_MAX, nonce: 1n }));
        assert.equal((await channelState(f, alice, carol)).state, 2n);
        const r = await f.tn.send(bob.address, 'settle', [f.token.address, alice.address, 0n, ZERO32, carol.address, U256_MAX, ZERO32]);
        assert.equal(r.ok, true, r.reason);
        // alice: 10 + (2^256 − 1) − 0, clamped to the total 20 (wrapping arithmetic would give 9)
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelSettled').map((e) => [e.participant1_amount, e.participant2_amount]), [[20n, 0n]]);
    });

    it('the participants may be passed in either order; amounts follow the participant', async () => {
        await closedChannel(bob, carol, 30n, 20n, 3000n, bob, (ch) => balanceProof(carol, ch, { ta: 12n, nonce: 7n }));
        // bob: 30 + 12 − 0 = 42; carol: 8
        const bobBefore = await f.token.call(bob.address, 'balanceOf', [bob.address]);
        const r = await f.tn.send(alice.address, 'settle', [f.token.address, carol.address, 12n, ZERO32, bob.address, 0n, ZERO32]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelSettled').map((e) => [e.participant1_amount, e.participant2_amount]), [[8n, 42n]]);
        assert.equal(await f.token.call(bob.address, 'balanceOf', [bob.address]), bobBefore + 42n);
    });
});

// ---- 7. punishObsoleteUnlock ---------------------------------------------------------------------

describe('TokensNetwork: punishObsoleteUnlock', () => {
    let f, ch, disposedSig;
    const s = secret('disposed');
    const lock = { expiration: 200n, amount: 30n, secretHash: sha256Hex(hexToBytes(s)) };
    const lh = lockHash(lock);
    const tree = new MerkleTree([lh]);
    const announceHash = keccakHex('announce-disposed');
    let bobWithLock;

    const disposed = (signer, lockhash) => signFields(signer, messages.disposedProof({
        lockhash, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID, additionalHash: announceHash,
    }));
    const punish = (beneficiary, cheater, lockhash, sig) => f.tn.send(carol.address, 'punishObsoleteUnlock',
        [f.token.address, beneficiary.address, cheater.address, lockhash, announceHash, sig]);

    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 100n);
        // bob pays alice 20 and locks 30 more; alice disposes of the lock (AnnounceDisposed),
        // bob's next proof drops it.
        bobWithLock = balanceProof(bob, ch, { ta: 20n, locksroot: tree.root, nonce: 5n });
        disposedSig = disposed(alice, lh);
        assert.equal((await f.sr.send(alice.address, 'registerSecret', [s])).ok, true);
    });

    it('is refused while the channel is open', async () => {
        f.chain.setBlock(15);
        assertRevert(await punish(bob, alice, lh, disposedSig), /not closed/);
    });

    it('is refused before the cheater unlocked the lock, for a beneficiary without proof, or a wrong signer', async () => {
        f.chain.setBlock(20);
        // alice cheats: closes with bob's proof that still holds the disposed lock
        let r = await f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, ...bobWithLock.args]);
        assert.equal(r.ok, true, r.reason);
        assertRevert(await punish(bob, alice, lh, disposedSig), /lock was not unlocked/);
        f.chain.setBlock(21);
        r = await f.tn.send(alice.address, 'unlock',
                            [f.token.address, bob.address, 20n, lock.expiration, lock.amount, lock.secretHash, tree.proof(0)]);
        assert.equal(r.ok, true, r.reason);
        assertRevert(await punish(bob, alice, lh, disposed(bob, lh)), /not signed by cheater/);
        assertRevert(await punish(alice, bob, lh, disposed(bob, lh)), /no balance proof/);
        const otherLock = keccakHex('some other lock');
        assertRevert(await punish(bob, alice, otherLock, disposed(alice, otherLock)), /lock was not unlocked/);
        // the DisposedProof layout has chain_id before additional_hash; the other order fails
        const swapped = signFields(alice, cat(b32(lh), b32(ch.id), u64(ch.openBlock), b32(announceHash), u256(CHAIN_ID)));
        assertRevert(await punish(bob, alice, lh, swapped), /not signed by cheater/);
    });

    it('in the punish period, gives the beneficiary the cheater\'s deposit and freezes its proof', async () => {
        f.chain.setBlock(20n + T + 100n); // after the settle window, before settle
        const fields = messages.disposedProof({ lockhash: lh, channelId: ch.id, openBlock: ch.openBlock, chainId: CHAIN_ID, additionalHash: announceHash });
        assert.equal(fields.length, 136);
        const r = await punish(bob, alice, lh, disposedSig);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelPunished'), [{ channel_identifier: ch.id, beneficiary: bob.address }]);
        assert.deepEqual(Object.values(await participant(f, bob, alice)), [200n, '0x' + '00'.repeat(24), U64_MAX]);
        assert.equal((await participant(f, alice, bob)).deposit, 0n);
        assertRevert(await punish(bob, alice, lh, disposedSig), /no balance proof/);
    });

    it('settle then pays the beneficiary everything', async () => {
        f.chain.setBlock(20n + T + PUNISH + 1n);
        const bobBefore = await f.token.call(bob.address, 'balanceOf', [bob.address]);
        const r = await f.tn.send(carol.address, 'settle', [f.token.address, alice.address, 0n, ZERO32, bob.address, 0n, ZERO32]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelSettled').map((e) => [e.participant1_amount, e.participant2_amount]), [[0n, 200n]]);
        assert.equal(await f.token.call(bob.address, 'balanceOf', [bob.address]), bobBefore + 200n);
        assertRevert(await punish(bob, alice, lh, disposedSig), /not closed/);
    });
});

// ---- 8. withDraw ---------------------------------------------------------------------------

describe('TokensNetwork: withDraw', () => {
    let f, ch;
    const withdrawSigs = (c, participantKey, balance, amount, signers) => {
        const fields = messages.withdraw({
            participant: participantKey.address, balance, withdraw: amount, channelId: c.id, openBlock: c.openBlock, chainId: CHAIN_ID,
        });
        assert.equal(fields.length, 156);
        return signers.map((k) => signFields(k, fields));
    };
    const withdraw = (from, p, q, balance, amount, sigs) =>
        f.tn.send(from.address, 'withDraw', [f.token.address, p.address, q.address, balance, amount, ...sigs]);

    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 50n);
    });

    it('is refused in the block the channel opened in', async () => {
        assertRevert(await withdraw(monitor, alice, bob, 120n, 30n, withdrawSigs(ch, alice, 120n, 30n, [alice, bob])),
                     /opened in this block/);
    });

    it('pays the participant, sets the new deposits and moves open_block_number', async () => {
        f.chain.setBlock(12);
        const aliceBefore = await f.token.call(alice.address, 'balanceOf', [alice.address]);
        const sigs = withdrawSigs(ch, alice, 120n, 30n, [alice, bob]);
        const r = await withdraw(monitor, alice, bob, 120n, 30n, sigs);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelWithdraw'), [{
            channel_identifier: ch.id, participant1: alice.address, participant1_balance: 90n,
            participant2: bob.address, participant2_balance: 30n,
        }]);
        assert.equal(await f.token.call(alice.address, 'balanceOf', [alice.address]), aliceBefore + 30n);
        assert.equal((await participant(f, alice, bob)).deposit, 90n);
        assert.equal((await participant(f, bob, alice)).deposit, 30n);
        const st = await channelState(f, alice, bob);
        assert.deepEqual([st.state, st.openBlock], [1n, 12n]);
        // a second withdraw in the same block could reuse signatures over the new open block
        const again = withdrawSigs({ id: ch.id, openBlock: 12n }, alice, 90n, 10n, [alice, bob]);
        assertRevert(await withdraw(monitor, alice, bob, 90n, 10n, again), /opened in this block/);
        f.chain.setBlock(13);
        assertRevert(await withdraw(monitor, alice, bob, 120n, 30n, sigs), /not signed by participant/);
    });

    it('refuses a missing partner signature, zero or excessive withdrawals, balances above the deposits', async () => {
        const c = { id: ch.id, openBlock: 12n };
        assertRevert(await withdraw(monitor, alice, bob, 90n, 10n, withdrawSigs(c, alice, 90n, 10n, [alice, carol])),
                     /not signed by partner/);
        assertRevert(await withdraw(monitor, alice, bob, 90n, 10n, withdrawSigs(c, alice, 90n, 10n, [bob, bob])),
                     /not signed by participant/);
        assertRevert(await withdraw(monitor, alice, bob, 90n, 0n, withdrawSigs(c, alice, 90n, 0n, [alice, bob])),
                     /bad withdraw amount/);
        assertRevert(await withdraw(monitor, alice, bob, 90n, 91n, withdrawSigs(c, alice, 90n, 91n, [alice, bob])),
                     /bad withdraw amount/);
        assertRevert(await withdraw(monitor, alice, bob, 121n, 1n, withdrawSigs(c, alice, 121n, 1n, [alice, bob])),
                     /above the deposits/);
    });

    it('voids balance proofs signed before it (they name the old open block)', async () => {
        const old = balanceProof(bob, ch, { ta: 5n, nonce: 1n });
        assertRevert(await f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, ...old.args]),
                     /not signed by partner/);
        const current = balanceProof(bob, { id: ch.id, openBlock: 12n }, { ta: 5n, nonce: 1n });
        const r = await f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, ...current.args]);
        assert.equal(r.ok, true, r.reason);
        const c = { id: ch.id, openBlock: 12n };
        assertRevert(await withdraw(monitor, alice, bob, 90n, 10n, withdrawSigs(c, alice, 90n, 10n, [alice, bob])),
                     /not open/);
    });
});

// ---- 9. cooperativeSettle ---------------------------------------------------------------------

describe('TokensNetwork: cooperativeSettle', () => {
    let f, ch;
    const coopSigs = (c, p1, b1, p2, b2, signers) => {
        const fields = messages.cooperativeSettle({
            p1: p1.address, p1Balance: b1, p2: p2.address, p2Balance: b2, channelId: c.id, openBlock: c.openBlock, chainId: CHAIN_ID,
        });
        assert.equal(fields.length, 176);
        return signers.map((k) => signFields(k, fields));
    };
    const coop = (p1, b1, p2, b2, sigs) =>
        f.tn.send(monitor.address, 'cooperativeSettle', [f.token.address, p1.address, b1, p2.address, b2, ...sigs]);

    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 50n);
    });

    it('refuses balances that do not add up, wrong signers, swapped participants and the opening block', async () => {
        assertRevert(await coop(alice, 70n, bob, 80n, coopSigs(ch, alice, 70n, bob, 80n, [alice, bob])), /opened in this block/);
        f.chain.setBlock(11);
        assertRevert(await coop(alice, 70n, bob, 81n, coopSigs(ch, alice, 70n, bob, 81n, [alice, bob])), /do not add up/);
        // 2^256 − 1 + 151 wraps to 150, the total: must still be refused
        assertRevert(await coop(alice, U256_MAX, bob, 151n, coopSigs(ch, alice, U256_MAX, bob, 151n, [alice, bob])),
                     /do not add up/);
        assertRevert(await coop(alice, 70n, bob, 80n, coopSigs(ch, alice, 70n, bob, 80n, [alice, carol])),
                     /not signed by participant2/);
        // the signed message fixes the order of the participants
        const sigs = coopSigs(ch, alice, 70n, bob, 80n, [alice, bob]);
        assertRevert(await coop(bob, 80n, alice, 70n, [sigs[1], sigs[0]]), /not signed by participant1/);
    });

    it('pays both balances and deletes the channel', async () => {
        const before = [await f.token.call(alice.address, 'balanceOf', [alice.address]),
                        await f.token.call(bob.address, 'balanceOf', [bob.address])];
        const sigs = coopSigs(ch, alice, 70n, bob, 80n, [alice, bob]);
        const r = await coop(alice, 70n, bob, 80n, sigs);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(f.tn, r, 'ChannelCooperativeSettled'), [{
            channel_identifier: ch.id, participant1_amount: 70n, participant2_amount: 80n,
        }]);
        assert.equal(await f.token.call(alice.address, 'balanceOf', [alice.address]), before[0] + 70n);
        assert.equal(await f.token.call(bob.address, 'balanceOf', [bob.address]), before[1] + 80n);
        assert.equal((await channelState(f, alice, bob)).state, 0n);
        // reopened in the same block: a new open block, so the old signatures are dead
        const ch2 = await openChannel(f, alice, bob, 100n, 50n);
        assert.equal(ch2.openBlock, 11n);
        f.chain.setBlock(12);
        assertRevert(await coop(alice, 70n, bob, 80n, sigs), /not signed by participant1/);
    });

    it('is refused on a closed channel', async () => {
        const r = await f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, 0n, ZERO32, 0n, ZERO32, '0x']);
        assert.equal(r.ok, true, r.reason);
        assertRevert(await coop(alice, 100n, bob, 50n, coopSigs({ id: ch.id, openBlock: 11n }, alice, 100n, bob, 50n, [alice, bob])),
                     /not open/);
    });
});

// ---- 10. Balance-proof signatures: layout and strictness ----------------------------------------

describe('TokensNetwork: the BalanceProof signature (176-byte layout) and strict signatures', () => {
    let f, ch;
    before(async () => {
        f = await fixture();
        f.chain.setBlock(10);
        ch = await openChannel(f, alice, bob, 100n, 50n);
        f.chain.setBlock(11);
    });

    const close = (args) => f.tn.send(alice.address, 'prepareSettle', [f.token.address, bob.address, ...args]);
    const fieldsOf = (over = {}) => messages.balanceProof({
        ta: 7n, locksroot: ZERO32, nonce: 1n, additionalHash: keccakHex('ah'), channelId: ch.id, openBlock: ch.openBlock,
        chainId: CHAIN_ID, ...over,
    });
    const argsWith = (sig) => [7n, ZERO32, 1n, keccakHex('ah'), sig];

    it('refuses signatures over the wrong prefix, field order, chain id or channel', async () => {
        const fields = fieldsOf();
        assert.equal(fields.length, 176);
        assertRevert(await close(argsWith(signFields(bob, fields, '\x19Ethereum Signed Message:\n'))), /not signed by partner/);
        // docs/contract_spec.md order (photon.md §9): channel_id first
        const docsOrder = cat(b32(ch.id), u256(7n), b32(ZERO32), u64(1n), b32(keccakHex('ah')), u64(ch.openBlock), u256(CHAIN_ID));
        assertRevert(await close(argsWith(signFields(bob, docsOrder))), /not signed by partner/);
        assertRevert(await close(argsWith(signFields(bob, fieldsOf({ chainId: CHAIN_ID + 1n })))), /not signed by partner/);
        assertRevert(await close(argsWith(signFields(bob, fieldsOf({ channelId: keccakHex('other channel') })))),
                     /not signed by partner/);
        // the nonce as a 32-byte word instead of 8 bytes
        const wideNonce = cat(u256(7n), b32(ZERO32), u256(1n), b32(keccakHex('ah')), b32(ch.id), u64(ch.openBlock), u256(CHAIN_ID));
        assertRevert(await close(argsWith(signFields(bob, wideNonce))), /not signed by partner/);
    });

    it('refuses malformed signatures: not 65 bytes, v 0/1, high s', async () => {
        const good = signFields(bob, fieldsOf());
        assertRevert(await close(argsWith(good.slice(0, 2 + 128))), /65 bytes/);
        assertRevert(await close(argsWith(good + '00')), /65 bytes/);
        assertRevert(await close(argsWith(rawVTwin(good))), /v must be 27 or 28/);
        assertRevert(await close(argsWith(highSTwin(good))), /s too high/);
        assertRevert(await close([7n, ZERO32, 1n, keccakHex('ah'), '0x']), /65 bytes/);
    });

    it('refuses a close without proof that claims amounts', async () => {
        assertRevert(await close([7n, ZERO32, 0n, ZERO32, '0x']), /without nonce must be empty/);
    });

    it('accepts the signature over prefix ‖ "176" ‖ the §2.6 fields', async () => {
        const r = await close(argsWith(signFields(bob, fieldsOf())));
        assert.equal(r.ok, true, r.reason);
        assert.equal((await participant(f, bob, alice)).balanceHash, balanceHash(7n, ZERO32));
    });

    it('the balance hash is bytes24(keccak256(locksroot ‖ ta)), 0 for (0, 0)', () => {
        assert.equal(balanceHash(0n, ZERO32), '0x' + '00'.repeat(24));
        assert.equal(balanceHash(7n, ZERO32), keccakHex(cat(b32(ZERO32), u256(7n))).slice(0, 50));
    });
});

// ---- 11. SMTToken ---------------------------------------------------------------------------

describe('SMTToken: channels in native coin', () => {
    let chain, tn, smt, sink;
    const coin = (address) => chain.balance(address);

    before(async () => {
        chain = await Chain.create();
        for (const k of [deployer, alice, bob, carol]) await chain.fund(k.address, 1000n * ETHER);
        ({ tn } = await deployNetwork(chain, deployer.address, CHAIN_ID));
        smt = await chain.deploy('SMTToken', deployer.address, [tn.address]);
        // a contract that cannot receive coin (no payable fallback)
        sink = await chain.deploy('PhotonTestToken', deployer.address, [1n]);
        chain.setBlock(10);
    });

    it('is named "SMTToken" and knows its TokensNetwork', async () => {
        assert.equal(await smt.call(alice.address, 'name'), 'SMTToken');
        assert.equal(await smt.call(alice.address, 'tokenNetwork'), tn.address);
        assert.equal(await smt.call(alice.address, 'decimals'), 18n);
        assert.equal(await smt.call(alice.address, 'totalSupply'), 0n);
    });

    it('buyAndTransfer opens a channel with the coin sent and keeps the coin', async () => {
        const before = await coin(alice.address);
        const r = await smt.send(alice.address, 'buyAndTransfer', [depositData(alice.address, bob.address, T)], 10n * ETHER);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(tn, r, 'TokenNetworkCreated'), [{ token_address: smt.address }]);
        assert.deepEqual(eventsOf(tn, r, 'ChannelOpenedAndDeposit'), [{
            token: smt.address, participant: alice.address, partner: bob.address, settle_timeout: T,
            participant1_deposit: 10n * ETHER,
        }]);
        assert.equal(await coin(alice.address), before - 10n * ETHER);
        assert.equal(await coin(smt.address), 10n * ETHER);
        assert.equal(await smt.call(alice.address, 'totalSupply'), 10n * ETHER);
        assert.equal(await smt.call(alice.address, 'balanceOf', [tn.address]), 10n * ETHER);
        assert.equal(await smt.call(alice.address, 'balanceOf', [alice.address]), 0n);
        const r2 = await smt.send(bob.address, 'buyAndTransfer', [depositData(bob.address, alice.address, 0n)], 5n * ETHER);
        assert.equal(r2.ok, true, r2.reason);
        assert.equal(eventsOf(tn, r2, 'ChannelNewDeposit')[0].total_deposit, 5n * ETHER);
    });

    it('refuses no coin, deposit data TokensNetwork rejects (the coin stays with the sender), and deposit()', async () => {
        assertRevert(await smt.send(carol.address, 'buyAndTransfer', [depositData(carol.address, bob.address, T)], 0n), /no coin/);
        const before = await coin(carol.address);
        assertRevert(await smt.send(carol.address, 'buyAndTransfer', [depositData(carol.address, carol.address, T)], ETHER),
                     /participant is partner/);
        assertRevert(await smt.send(carol.address, 'buyAndTransfer', ['0x1234'], ETHER), /3 words/);
        assert.equal(await coin(carol.address), before);
        // SMTToken has no transferFrom: TokensNetwork.deposit cannot take it
        assertRevert(await tn.send(carol.address, 'deposit', [smt.address, carol.address, bob.address, 1n, T]));
    });

    it('transfer pays coin and is reserved to TokensNetwork', async () => {
        assertRevert(await smt.send(alice.address, 'transfer', [alice.address, 1n]), /only TokensNetwork/);
    });

    it('cooperative settle pays out native coin', async () => {
        chain.setBlock(11);
        const id = channelIdentifier(smt.address, alice.address, bob.address, tn.address);
        const fields = messages.cooperativeSettle({
            p1: alice.address, p1Balance: 12n * ETHER, p2: bob.address, p2Balance: 3n * ETHER, channelId: id, openBlock: 10n,
            chainId: CHAIN_ID,
        });
        const before = [await coin(alice.address), await coin(bob.address)];
        const r = await tn.send(carol.address, 'cooperativeSettle', [smt.address, alice.address, 12n * ETHER, bob.address,
                                                                     3n * ETHER, signFields(alice, fields), signFields(bob, fields)]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(await coin(alice.address), before[0] + 12n * ETHER);
        assert.equal(await coin(bob.address), before[1] + 3n * ETHER);
        assert.equal(await coin(smt.address), 0n);
        assert.equal(await smt.call(alice.address, 'totalSupply'), 0n);
    });

    it('a payout the recipient refuses is kept as unclaimed and does not block the settlement', async () => {
        chain.setBlock(20);
        let r = await smt.send(alice.address, 'buyAndTransfer', [depositData(alice.address, sink.address, T)], 4n);
        assert.equal(r.ok, true, r.reason);
        r = await smt.send(alice.address, 'buyAndTransfer', [depositData(sink.address, alice.address, T)], 2n);
        assert.equal(r.ok, true, r.reason);
        chain.setBlock(21);
        r = await tn.send(alice.address, 'prepareSettle', [smt.address, sink.address, 0n, ZERO32, 0n, ZERO32, '0x']);
        assert.equal(r.ok, true, r.reason);
        chain.setBlock(21n + T + PUNISH + 1n);
        const before = await coin(alice.address);
        r = await tn.send(alice.address, 'settle', [smt.address, alice.address, 0n, ZERO32, sink.address, 0n, ZERO32]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(await coin(alice.address), before + 4n);
        assert.equal(await coin(sink.address), 0n);
        assert.equal(await smt.call(alice.address, 'unclaimed', [sink.address]), 2n);
        assert.equal(await smt.call(alice.address, 'totalSupply'), 0n);
        // the refusing account (here a contract) can have it paid elsewhere, once
        const carolBefore = await coin(carol.address);
        r = await smt.send(sink.address, 'claim', [carol.address]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(await coin(carol.address), carolBefore + 2n);
        assertRevert(await smt.send(sink.address, 'claim', [carol.address]), /nothing to claim/);
    });
});

