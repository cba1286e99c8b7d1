// contracts.test.mjs: checks the committed system-contract artifacts (share/contracts) against
// spec §8–§9: every selector and event topic the spec lists, Byzantium-only opcodes, and the
// behaviour of TribeChief, ChiefBase, POC, Anmap and MeshBox deployed on an in-process EVM.
// Run by contrib/contracts/test.sh (`node --test`).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
    Chain, loadArtifact, makeKey, signAddress, selectorOf, signatureOf, keccakHex, hexToBytes,
    ETHER, ROOT,
} from './harness.mjs';

const ZERO = '0x0000000000000000000000000000000000000000';

// ---- 1. ABI: selectors and topics from the spec -----------------------------------------

// [contract, signature, selector or topic as the spec gives it, output types or null]
const SPEC_FUNCTIONS = [
    ['TribeChief', 'update(address)', '1c1b8772', []],
    ['TribeChief', 'getStatus()', '4e69d560', ['address[]', 'address[]', 'uint256[]', 'uint256[]', 'uint256', 'uint256']],
    ['TribeChief', 'getVolunteers()', 'd7ca4a1c', ['address[]', 'uint256[]', 'uint256']],
    ['TribeChief', 'getNextRoundSignerList()', '53f197fe', ['address[]']],
    ['TribeChief', 'getSignerLimit()', 'eb5c0011', ['uint256']],
    ['TribeChief', 'getEpoch()', '757991a8', ['uint256']],
    ['TribeChief', 'getVolunteerLimit()', '961c5c7a', ['uint256']],
    ['TribeChief', 'version()', '54fd4d50', ['string']],
    ['TribeChief', 'filterVolunteer(address[])', '20c1a518', null],
    ['TribeChief', '_signerList(uint256)', 'b4deb2ca', ['address']],
    ['TribeChief', '_nextRoundSignerList(uint256)', '1fcb9ffb', ['address']],
    ['TribeChief', 'blockNumber()', '57e871e7', ['uint256']],
    ['ChiefBase', 'takeEpoch()', '4067f0c8', ['uint256']],
    ['ChiefBase', 'takeSignerLimit()', '6da50830', ['uint256']],
    ['ChiefBase', 'takeLeaderLimit()', '40e2f991', ['uint256']],
    ['ChiefBase', 'takeVolunteerLimit()', '282f78f2', ['uint256']],
    ['ChiefBase', 'takeLeaderList()', 'f0d55817', ['address[]']],
    ['ChiefBase', 'takeOwner()', 'd0f26171', ['address']],
    ['ChiefBase', 'appendLeader(address)', 'bfe3a272', null],
    ['ChiefBase', 'removeLeader(address)', '9037f182', null],
    ['ChiefBase', 'isLeader(address)', 'db512e85', ['bool']],
    ['ChiefBase', 'init(address,address)', 'f09a4016', null],
    ['ChiefBase', 'setOwner(address)', '13af4035', null],
    ['ChiefBase', 'pocAddStop(address)', '1dd47d3d', ['int8']],
    ['ChiefBase', 'pocAddBlackList(address)', 'c8ba1fd8', null],
    ['ChiefBase', 'pocCleanBlackList()', '7216276b', null],
    ['ChiefBase', 'pocAddLockList(address)', 'a9cfa49c', null],
    ['ChiefBase', 'pocDelLockList(address)', '4bb19dac', null],
    ['ChiefBase', 'pocGetBlackList()', 'b175de17', ['address[]']],
    ['ChiefBase', 'pocSetInitBlockNumber(uint256)', '7a73ae49', null],
    ['ChiefBase', 'pocChangeOwner(address,uint256)', 'bf8fb614', null],
    ['POC', 'minDepositAmount()', '645006ca', ['uint256']],
    ['POC', 'deposit(bytes32,bytes32,uint8)', 'f2a558f9', null],
    ['POC', 'stop(address)', '656cb0bc', null],
    ['POC', 'start(address)', 'dd0b281e', null],
    ['POC', 'withdraw(address)', '51cff8d9', null],
    ['POC', 'withdrawSurplus(address)', '65e73e32', null],
    ['POC', 'ownerStop(address)', '2988fcfd', ['int8']],
    ['POC', 'ownerPushBlackList(address)', '31f23668', null],
    ['POC', 'ownerPopBlackList(address)', '1103ec96', null],
    ['POC', 'ownerEmptyBlackList()', '3853d0a1', null],
    ['POC', 'ownerPushLockList(address)', '478e7d6e', null],
    ['POC', 'ownerPopLockList(address)', '6fae4a5f', null],
    ['POC', 'ownerSetInitBlockNumber(uint256)', 'f30011b4', null],
    ['POC', 'changeOwner(address,uint256)', '56df3db1', null],
    ['POC', 'getNormalList()', '51393ce3', ['address[]']],
    ['POC', 'getStopList()', '9c52ade2', ['address[]']],
    ['POC', 'getBlackList()', '360b97b9', ['address[]']],
    ['POC', 'getLockList()', 'ed1eeaf1', ['address[]']],
    ['POC', 'getOwnerList()', '58100370', null],
    ['POC', 'minerStatus(address)', '0c58ed8e', null],
    ['POC', 'blackAndLockStatus(address)', 'e7b14a93', null],
    ['POC', 'getAll()', '53ed5143', ['address[]', 'uint256[]', 'uint256[]', 'address[]', 'uint256[]']],
    ['Anmap', 'bind(address,uint8,bytes32,bytes32)', 'f65f2eec', null],
    ['Anmap', 'unbindBySig(address,uint8,bytes32,bytes32)', '99ab9fca', null],
    ['Anmap', 'bindInfo(address)', '8d04cd30', ['address', 'address[]']],
    ['MeshBox', 'addAddress(address[],uint256)', 'ba4c18db', null],
    ['MeshBox', 'delAddress(address[])', '5022edf8', null],
    ['MeshBox', 'existAddress(address)', '80b7069d', ['uint256']],
    ['MeshBox', 'getMeshboxList()', '3ec7eed1', ['address[]']],
    ['MeshBox', 'version()', '54fd4d50', ['string']],
];

const SPEC_EVENTS = [
    ['POC', 'Deposit', '0x5548c837ab068cf56a2c2479df0882a4922fd203edb7517321831d95078c5f62'],
    ['POC', 'Stop', '0x5f8b016b80ca3a499d7fc818528ee3c8658d421489a9efdf1d365c4241ddd883'],
    ['POC', 'Start', '0x84d0447ca38875fa61115673259a210915bc1dd53a3c112d6f0790f15956a965'],
    ['POC', 'Withdraw', '0x9b1bfa7fa9ee420a16e124f794c35ac9f90472acc99140eb2f6447c714cad8eb'],
];

const NAMES = ['TribeChief', 'ChiefBase', 'POC', 'Anmap', 'MeshBox'];

// Opcodes that Byzantium lacks (spec §6.6: only SIP004 adds them).
const POST_BYZANTIUM = new Map([
    [0x1b, 'SHL'], [0x1c, 'SHR'], [0x1d, 'SAR'], [0x3f, 'EXTCODEHASH'], [0xf5, 'CREATE2'],
    [0x46, 'CHAINID'], [0x47, 'SELFBALANCE'], [0x48, 'BASEFEE'], [0x5f, 'PUSH0'],
    [0x5c, 'TLOAD'], [0x5d, 'TSTORE'], [0x5e, 'MCOPY'],
]);

// Walks code (no metadata) and returns [opcodes used, PUSH4 operands].
function scan(code) {
    const ops = new Set();
    const push4 = new Set();
    for (let pc = 0; pc < code.length; pc++) {
        const op = code[pc];
        ops.add(op);
        if (op >= 0x60 && op <= 0x7f) {
            const n = op - 0x5f;
            if (n === 4) push4.add(Buffer.from(code.slice(pc + 1, pc + 5)).toString('hex'));
            pc += n;
        }
    }
    return [ops, push4];
}

// Runtime code without the CBOR metadata that solc appends (its length is in the last 2 bytes).
function stripMetadata(code) {
    const len = (code[code.length - 2] << 8) | code[code.length - 1];
    return code.slice(0, code.length - len - 2);
}

describe('ABI matches spec §8-§9', () => {
    const arts = Object.fromEntries(NAMES.map((n) => [n, loadArtifact(n)]));

    it('every function the spec lists is in the ABI with the spec selector and outputs', () => {
        for (const [name, sig, sel, outputs] of SPEC_FUNCTIONS) {
            const fns = arts[name].abi.filter((e) => e.type === 'function' && signatureOf(e) === sig);
            assert.equal(fns.length, 1, `${name}: ${sig} missing from the ABI`);
            assert.equal(selectorOf(sig), '0x' + sel, `${name}: ${sig} selector`);
            if (outputs) {
                assert.deepEqual(fns[0].outputs.map((o) => o.type), outputs, `${name}: ${sig} outputs`);
            }
        }
    });

    it('every event the spec lists has the spec topic0', () => {
        for (const [name, ev, topic] of SPEC_EVENTS) {
            const evs = arts[name].abi.filter((e) => e.type === 'event' && e.name === ev);
            assert.equal(evs.length, 1, `${name}: event ${ev} missing`);
            assert.equal(keccakHex(signatureOf(evs[0])), topic, `${name}: ${signatureOf(evs[0])} topic`);
        }
    });

    it('deposit is payable and the rest of the spec functions are not', () => {
        const dep = arts.POC.abi.find((e) => e.name === 'deposit');
        assert.equal(dep.stateMutability, 'payable');
        for (const [name, sig] of SPEC_FUNCTIONS) {
            if (sig.startsWith('deposit(')) continue;
            const f = arts[name].abi.find((e) => e.type === 'function' && signatureOf(e) === sig);
            assert.notEqual(f.stateMutability, 'payable', `${name}: ${sig} must not be payable`);
        }
    });

    it('the dispatcher of each contract handles every spec selector', () => {
        for (const name of NAMES) {
            const [, push4] = scan(stripMetadata(hexToBytes(arts[name].deployedBytecode)));
            for (const [n, sig, sel] of SPEC_FUNCTIONS) {
                if (n === name) assert.ok(push4.has(sel), `${name}: no PUSH4 ${sel} (${sig}) in the runtime code`);
            }
        }
    });

    it('bytecode uses only Byzantium opcodes', () => {
        for (const name of NAMES) {
            // Creation code = constructor code ‖ runtime code ‖ constructor data (long
            // revert strings); only the two code parts are scanned.
            const runtime = hexToBytes(arts[name].deployedBytecode);
            const at = arts[name].bytecode.slice(2).indexOf(arts[name].deployedBytecode.slice(2));
            assert.ok(at > 0 && at % 2 === 0, `${name}: creation code does not contain the runtime code`);
            const init = hexToBytes(arts[name].bytecode).slice(0, at / 2);
            for (const code of [stripMetadata(runtime), init]) {
                const [ops] = scan(code);
                for (const [op, mnemonic] of POST_BYZANTIUM) {
                    assert.ok(!ops.has(op), `${name} uses ${mnemonic}`);
                }
            }
        }
    });

    it('artifacts record the compiler and the settings', () => {
        for (const name of NAMES) {
            assert.equal(arts[name].contractName, name);
            assert.match(arts[name].solcVersion, /^0\.5\.17\+commit\./);
            assert.equal(arts[name].settings.evmVersion, 'byzantium');
            assert.equal(arts[name].settings.optimizer.enabled, true);
        }
    });

    it('artifacts were built from the current sources (else run contrib/contracts/build.sh)', () => {
        for (const name of NAMES) {
            const src = fs.readFileSync(path.join(ROOT, 'contrib', 'contracts', name + '.sol'));
            assert.equal(arts[name].sourceSha256, crypto.createHash('sha256').update(src).digest('hex'),
                         `share/contracts/${name}.json is stale`);
        }
    });
});

// ---- 2. ChiefBase -------------------------------------------------------------------------

describe('ChiefBase', () => {
    let chain, base;
    const owner = makeKey('base-owner');
    const other = makeKey('base-other');
    const leaders = [1, 2, 3, 4, 5].map((i) => makeKey('base-leader-' + i));

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, other]) await chain.fund(k.address, 100n * ETHER);
        base = await chain.deploy('ChiefBase', owner.address, [6171, 17]);
    });

    it('constructor: limits from (epoch, signerLimit), deployer is owner and first leader', async () => {
        assert.equal(await base.call(other.address, 'takeEpoch'), 6171n);
        assert.equal(await base.call(other.address, 'takeSignerLimit'), 17n);
        assert.equal(await base.call(other.address, 'takeVolunteerLimit'), 16n);
        assert.equal(await base.call(other.address, 'takeLeaderLimit'), 5n);
        assert.equal(await base.call(other.address, 'takeOwner'), owner.address);
        assert.deepEqual(await base.call(other.address, 'takeLeaderList'), [owner.address]);
        assert.equal(await base.call(other.address, 'isLeader', [owner.address]), true);
        assert.equal(await base.call(other.address, 'isLeader', [other.address]), false);
    });

    it('appendLeader: owner only, no duplicates, no 0x0, at most 5 leaders', async () => {
        assert.equal((await base.send(other.address, 'appendLeader', [leaders[0].address])).ok, false);
        assert.equal((await base.send(owner.address, 'appendLeader', [owner.address])).ok, false);
        assert.equal((await base.send(owner.address, 'appendLeader', [ZERO])).ok, false);
        for (let i = 0; i < 4; i++) {
            assert.equal((await base.send(owner.address, 'appendLeader', [leaders[i].address])).ok, true);
        }
        const r = await base.send(owner.address, 'appendLeader', [leaders[4].address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /leader limit/);
        assert.deepEqual(await base.call(other.address, 'takeLeaderList'),
                         [owner.address, ...leaders.slice(0, 4).map((k) => k.address)]);
        assert.equal(await base.call(other.address, 'isLeader', [leaders[3].address]), true);
    });

    it('removeLeader: owner only, keeps the order, never removes the last leader', async () => {
        assert.equal((await base.send(other.address, 'removeLeader', [leaders[1].address])).ok, false);
        assert.equal((await base.send(owner.address, 'removeLeader', [other.address])).ok, false);
        assert.equal((await base.send(owner.address, 'removeLeader', [leaders[1].address])).ok, true);
        assert.deepEqual(await base.call(other.address, 'takeLeaderList'),
                         [owner.address, leaders[0].address, leaders[2].address, leaders[3].address]);
        assert.equal(await base.call(other.address, 'isLeader', [leaders[1].address]), false);
        for (const k of [owner, leaders[0], leaders[2]]) {
            assert.equal((await base.send(owner.address, 'removeLeader', [k.address])).ok, true);
        }
        assert.deepEqual(await base.call(other.address, 'takeLeaderList'), [leaders[3].address]);
        const r = await base.send(owner.address, 'removeLeader', [leaders[3].address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /last leader/);
    });

    it('setOwner: owner only; the new owner administers, the old one no longer', async () => {
        assert.equal((await base.send(other.address, 'setOwner', [other.address])).ok, false);
        assert.equal((await base.send(owner.address, 'setOwner', [other.address])).ok, true);
        assert.equal(await base.call(owner.address, 'takeOwner'), other.address);
        assert.equal((await base.send(owner.address, 'appendLeader', [leaders[0].address])).ok, false);
        assert.equal((await base.send(other.address, 'appendLeader', [leaders[0].address])).ok, true);
        assert.equal((await base.send(other.address, 'setOwner', [owner.address])).ok, true);
    });

    it('POC wrappers: only the chief; POC administration before init fails', async () => {
        for (const [fn, args] of [['pocAddStop', [other.address]], ['pocAddBlackList', [other.address]],
                                  ['pocCleanBlackList', []], ['pocAddLockList', [other.address]],
                                  ['pocDelLockList', [other.address]]]) {
            const r = await base.send(owner.address, fn, args);
            assert.equal(r.ok, false, fn);
            assert.match(r.reason, /only chief/, fn);
        }
        assert.equal((await base.send(owner.address, 'pocSetInitBlockNumber', [0])).ok, false);
        assert.deepEqual(await base.call(other.address, 'pocGetBlackList'), []);
    });

    it('init: not by a stranger; once', async () => {
        const r = await base.send(other.address, 'init', [other.address, leaders[0].address]);
        assert.equal(r.ok, false);
        assert.equal((await base.send(owner.address, 'init', [other.address, leaders[0].address])).ok, true);
        assert.equal((await base.send(owner.address, 'init', [other.address, leaders[0].address])).ok, false);
    });
});

// ---- 3. POC -------------------------------------------------------------------------------

describe('POC', () => {
    let chain, poc;
    const owner = makeKey('poc-owner'); // an EOA owner so that owner functions can be called directly
    const w1 = makeKey('poc-wallet-1');
    const w2 = makeKey('poc-wallet-2');
    const n1 = makeKey('poc-node-1');
    const n2 = makeKey('poc-node-2');
    const n3 = makeKey('poc-node-3');
    const MIN = 1000n * ETHER;
    const WAIT = 5n;
    const HALVE = 100n;
    const START = 10n;

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, w1, w2]) await chain.fund(k.address, 100_000n * ETHER);
        chain.setBlock(START);
        poc = await chain.deploy('POC', owner.address, [owner.address, MIN, WAIT, HALVE]);
    });

    async function deposit(wallet, node, value, rawV = false) {
        const sig = signAddress(node, wallet.address, rawV);
        return poc.send(wallet.address, 'deposit', [sig.r, sig.s, sig.v], value);
    }

    it('minDepositAmount halves every depositHalveLimitNumber blocks, at most 3 times', async () => {
        const expect = [[START, MIN], [START + HALVE - 1n, MIN], [START + HALVE, MIN / 2n],
                        [START + 2n * HALVE, MIN / 4n], [START + 3n * HALVE, MIN / 8n],
                        [START + 50n * HALVE, MIN / 8n]];
        for (const [n, want] of expect) {
            chain.setBlock(n);
            assert.equal(await poc.call(w1.address, 'minDepositAmount'), want, `block ${n}`);
        }
        chain.setBlock(START);
    });

    it('deposit: below the minimum fails; a bad v fails', async () => {
        const r = await deposit(w1, n1, MIN - 1n);
        assert.equal(r.ok, false);
        assert.match(r.reason, /below minimum/);
        const sig = signAddress(n1, w1.address);
        const bad = await poc.send(w1.address, 'deposit', [sig.r, sig.s, 30], MIN);
        assert.equal(bad.ok, false);
        assert.deepEqual(await poc.call(w1.address, 'getNormalList'), []);
    });

    it('deposit: the node key signed keccak256(owner); Deposit(miner, owner, amount)', async () => {
        const before = await chain.balance(w1.address);
        const r = await deposit(w1, n1, MIN + 7n);
        assert.equal(r.ok, true, r.reason);
        assert.equal(r.logs.length, 1);
        assert.equal(r.logs[0].topics[0], '0x5548c837ab068cf56a2c2479df0882a4922fd203edb7517321831d95078c5f62');
        assert.deepEqual(poc.events(r, 'Deposit'), [[n1.address, w1.address, MIN + 7n]]);
        assert.equal(await chain.balance(w1.address), before - MIN - 7n);
        assert.equal(await chain.balance(poc.address), MIN + 7n);
        assert.deepEqual(await poc.call(w1.address, 'getNormalList'), [n1.address]);
        assert.deepEqual(await poc.call(w1.address, 'minerStatus', [n1.address]), [w1.address, MIN + 7n, 0n]);
    });

    it('deposit: one per miner; v may be 0/1; the signature binds the sender', async () => {
        const again = await deposit(w2, n1, MIN); // n1 signs keccak256(w2): same miner
        assert.equal(again.ok, false);
        assert.match(again.reason, /already has a deposit/);
        const r = await deposit(w2, n2, MIN, true);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(poc.events(r, 'Deposit'), [[n2.address, w2.address, MIN]]);
        // n3's signature over keccak256(w1), sent by w2, recovers some other address.
        const sig = signAddress(n3, w1.address);
        const stolen = await poc.send(w2.address, 'deposit', [sig.r, sig.s, sig.v], MIN);
        assert.equal(stolen.ok, true);
        const miner = poc.events(stolen, 'Deposit')[0][0];
        assert.notEqual(miner, n3.address);
        assert.deepEqual(await poc.call(w1.address, 'getNormalList'), [n1.address, n2.address, miner]);
        // Give the stray stake back so the lists below are simple.
        assert.equal((await poc.send(w2.address, 'stop', [miner])).ok, true);
        chain.setBlock(START + WAIT + 1n);
        assert.equal((await poc.send(w2.address, 'withdraw', [miner])).ok, true);
        chain.setBlock(START);
    });

    it('stop/start: only the miner owner; Stop/Start events; lists move', async () => {
        chain.setBlock(20);
        assert.equal((await poc.send(w2.address, 'stop', [n1.address])).ok, false);
        assert.equal((await poc.send(w1.address, 'start', [n1.address])).ok, false); // not stopped
        const r = await poc.send(w1.address, 'stop', [n1.address]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(r.logs[0].topics[0], '0x5f8b016b80ca3a499d7fc818528ee3c8658d421489a9efdf1d365c4241ddd883');
        assert.deepEqual(poc.events(r, 'Stop'), [[n1.address]]);
        assert.deepEqual(await poc.call(w1.address, 'getNormalList'), [n2.address]);
        assert.deepEqual(await poc.call(w1.address, 'getStopList'), [n1.address]);
        assert.deepEqual(await poc.call(w1.address, 'minerStatus', [n1.address]), [w1.address, MIN + 7n, 20n]);
        assert.equal((await poc.send(w1.address, 'stop', [n1.address])).ok, false); // already stopped
        assert.equal((await poc.send(w2.address, 'start', [n1.address])).ok, false);
        const s = await poc.send(w1.address, 'start', [n1.address]);
        assert.equal(s.ok, true, s.reason);
        assert.equal(s.logs[0].topics[0], '0x84d0447ca38875fa61115673259a210915bc1dd53a3c112d6f0790f15956a965');
        assert.deepEqual(poc.events(s, 'Start'), [[n1.address]]);
        assert.deepEqual(await poc.call(w1.address, 'getStopList'), []);
        assert.deepEqual((await poc.call(w1.address, 'getNormalList')).sort(), [n1.address, n2.address].sort());
        assert.deepEqual(await poc.call(w1.address, 'minerStatus', [n1.address]), [w1.address, MIN + 7n, 0n]);
    });

    it('ownerStop returns -1 unknown, 1 stopped, 0 already stopped; owner only', async () => {
        chain.setBlock(30);
        assert.equal((await poc.send(w1.address, 'ownerStop', [n1.address])).ok, false);
        assert.equal(await poc.call(owner.address, 'ownerStop', [n3.address]), -1n);
        const r = await poc.send(owner.address, 'ownerStop', [n1.address]);
        assert.deepEqual(r.out, [1n]);
        assert.deepEqual(poc.events(r, 'Stop'), [[n1.address]]);
        assert.equal(await poc.call(owner.address, 'ownerStop', [n1.address]), 0n);
        assert.deepEqual(await poc.call(w1.address, 'getStopList'), [n1.address]);
    });

    it('black and lock lists: owner only; they block start and withdraw', async () => {
        for (const fn of ['ownerPushBlackList', 'ownerPopBlackList', 'ownerPushLockList', 'ownerPopLockList']) {
            assert.equal((await poc.send(w1.address, fn, [n1.address])).ok, false, fn);
        }
        assert.equal((await poc.send(w1.address, 'ownerEmptyBlackList')).ok, false);
        await poc.call(owner.address, 'ownerPushBlackList', [n1.address]);
        await poc.call(owner.address, 'ownerPushBlackList', [n1.address]); // no duplicate
        await poc.call(owner.address, 'ownerPushBlackList', [n3.address]);
        assert.deepEqual(await poc.call(w1.address, 'getBlackList'), [n1.address, n3.address]);
        assert.deepEqual(await poc.call(w1.address, 'blackAndLockStatus', [n1.address]), [true, false]);
        chain.setBlock(100);
        let r = await poc.send(w1.address, 'start', [n1.address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /blacklisted/);
        r = await poc.send(w1.address, 'withdraw', [n1.address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /blacklisted/);
        await poc.call(owner.address, 'ownerPopBlackList', [n3.address]);
        assert.deepEqual(await poc.call(w1.address, 'getBlackList'), [n1.address]);
        await poc.call(owner.address, 'ownerPushLockList', [n1.address]);
        assert.deepEqual(await poc.call(w1.address, 'getLockList'), [n1.address]);
        assert.deepEqual(await poc.call(w1.address, 'blackAndLockStatus', [n1.address]), [true, true]);
        const all = await poc.call(w1.address, 'getAll');
        assert.deepEqual(all, [[n2.address, n1.address], [MIN, MIN + 7n], [0n, 30n],
                               [w2.address, w1.address], [0n, 3n]]);
        await poc.call(owner.address, 'ownerEmptyBlackList');
        assert.deepEqual(await poc.call(w1.address, 'getBlackList'), []);
        r = await poc.send(w1.address, 'start', [n1.address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /locked/);
        r = await poc.send(w1.address, 'withdraw', [n1.address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /locked/);
        await poc.call(owner.address, 'ownerPopLockList', [n1.address]);
        assert.deepEqual(await poc.call(w1.address, 'blackAndLockStatus', [n1.address]), [false, false]);
    });

    it('withdraw: only stopped miners, after more than withdrawWaitNumber blocks', async () => {
        chain.setBlock(40);
        assert.equal((await poc.send(w1.address, 'start', [n1.address])).ok, true);
        assert.equal((await poc.send(w1.address, 'withdraw', [n1.address])).ok, false); // running
        assert.equal((await poc.send(w1.address, 'stop', [n1.address])).ok, true);
        chain.setBlock(40n + WAIT);
        let r = await poc.send(w1.address, 'withdraw', [n1.address]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /wait/);
        chain.setBlock(40n + WAIT + 1n);
        assert.equal((await poc.send(w2.address, 'withdraw', [n1.address])).ok, false);
        const before = await chain.balance(w1.address);
        r = await poc.send(w1.address, 'withdraw', [n1.address]);
        assert.equal(r.ok, true, r.reason);
        assert.equal(r.logs[0].topics[0], '0x9b1bfa7fa9ee420a16e124f794c35ac9f90472acc99140eb2f6447c714cad8eb');
        assert.deepEqual(poc.events(r, 'Withdraw'), [[n1.address, w1.address, MIN + 7n]]);
        assert.equal(await chain.balance(w1.address), before + MIN + 7n);
        assert.deepEqual(await poc.call(w1.address, 'minerStatus', [n1.address]), [ZERO, 0n, 0n]);
        assert.deepEqual(await poc.call(w1.address, 'getStopList'), []);
        // The record is gone, so the node may stake again.
        assert.equal((await deposit(w1, n1, MIN)).ok, true);
    });

    it('withdrawSurplus returns what exceeds the current minimum', async () => {
        chain.setBlock(START + HALVE); // minimum is MIN/2 now
        const before = await chain.balance(w2.address);
        assert.equal((await poc.send(w1.address, 'withdrawSurplus', [n2.address])).ok, false);
        const r = await poc.send(w2.address, 'withdrawSurplus', [n2.address]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(poc.events(r, 'Withdraw'), [[n2.address, w2.address, MIN / 2n]]);
        assert.equal(await chain.balance(w2.address), before + MIN / 2n);
        assert.deepEqual(await poc.call(w2.address, 'minerStatus', [n2.address]), [w2.address, MIN / 2n, 0n]);
        assert.equal((await poc.send(w2.address, 'withdrawSurplus', [n2.address])).ok, false);
    });

    it('ownerSetInitBlockNumber moves the halving schedule; no future block', async () => {
        chain.setBlock(START + 3n * HALVE);
        assert.equal(await poc.call(w1.address, 'minDepositAmount'), MIN / 8n);
        assert.equal((await poc.send(owner.address, 'ownerSetInitBlockNumber', [START + 3n * HALVE + 1n])).ok, false);
        assert.equal((await poc.send(w1.address, 'ownerSetInitBlockNumber', [START + 3n * HALVE])).ok, false);
        await poc.call(owner.address, 'ownerSetInitBlockNumber', [START + 3n * HALVE]);
        assert.equal(await poc.call(w1.address, 'minDepositAmount'), MIN);
    });

    it('changeOwner takes effect at the given block; getOwnerList keeps the history', async () => {
        const now = START + 3n * HALVE;
        chain.setBlock(now);
        assert.equal((await poc.send(w1.address, 'changeOwner', [w1.address, now])).ok, false);
        assert.equal((await poc.send(owner.address, 'changeOwner', [w1.address, now - 1n])).ok, false);
        await poc.call(owner.address, 'changeOwner', [w1.address, now + 10n]);
        assert.deepEqual(await poc.call(w1.address, 'getOwnerList'), [[owner.address, w1.address], [START, now + 10n]]);
        chain.setBlock(now + 9n);
        assert.equal((await poc.send(w1.address, 'ownerPushLockList', [n3.address])).ok, false);
        assert.equal((await poc.send(owner.address, 'ownerPushLockList', [n3.address])).ok, true);
        chain.setBlock(now + 10n);
        assert.equal((await poc.send(owner.address, 'ownerPopLockList', [n3.address])).ok, false);
        assert.equal((await poc.send(w1.address, 'ownerPopLockList', [n3.address])).ok, true);
    });
});

// ---- 4. TribeChief with ChiefBase and POC ---------------------------------------------------

describe('TribeChief update()', () => {
    let chain, base, poc, chief;
    const L0 = makeKey('chief-leader-0'); // deploys everything, owns ChiefBase
    const L1 = makeKey('chief-leader-1');
    const L2 = makeKey('chief-leader-2');
    const V = [1, 2, 3, 4, 5].map((i) => makeKey('chief-volunteer-' + i)); // node keys
    const W = [1, 2, 3].map((i) => makeKey('chief-wallet-' + i)); // their stake wallets
    const outsider = makeKey('chief-outsider');
    const EPOCH = 20;
    const LIMIT = 4;
    const MIN = 10n * ETHER;
    const HALVE = 10;
    const PRODUCER_GAS_LIMIT = 4_712_388n; // spec §6.1

    before(async () => {
        chain = await Chain.create();
        for (const k of [L0, L1, L2, ...V, ...W, outsider]) await chain.fund(k.address, 1000n * ETHER);
        chain.setBlock(1);
        base = await chain.deploy('ChiefBase', L0.address, [EPOCH, LIMIT]);
        poc = await chain.deploy('POC', L0.address, [base.address, MIN, 5, HALVE]);
        chief = await chain.deploy('TribeChief', L0.address, [base.address, poc.address, 1]);
        for (let i = 0; i < 3; i++) {
            const sig = signAddress(V[i], W[i].address);
            const r = await poc.send(W[i].address, 'deposit', [sig.r, sig.s, sig.v], MIN);
            assert.equal(r.ok, true, r.reason);
        }
    });

    async function update(block, from, volunteer = ZERO) {
        chain.setBlock(block);
        const r = await chief.send(from.address, 'update', [volunteer]);
        assert.equal(r.ok, true, `update at ${block} by ${from.label}: ${r.reason}`);
        assert.ok(r.gasUsed < PRODUCER_GAS_LIMIT, `update at ${block} used ${r.gasUsed} gas`);
        return r;
    }

    const signers = () => chief.call(outsider.address, 'getStatus').then((s) => s[0]);
    const next = () => chief.call(outsider.address, 'getNextRoundSignerList');

    it('constructor: base initialised; signer list = [leader0, 0x0 x (limit-1)]', async () => {
        assert.deepEqual(await signers(), [L0.address, ZERO, ZERO, ZERO]);
        assert.equal(await chief.call(outsider.address, '_signerList', [0]), L0.address);
        assert.equal(await chief.call(outsider.address, 'blockNumber'), 1n);
        assert.equal(await chief.call(outsider.address, 'getSignerLimit'), BigInt(LIMIT));
        assert.equal(await chief.call(outsider.address, 'getEpoch'), BigInt(EPOCH));
        assert.equal(await chief.call(outsider.address, 'getVolunteerLimit'), BigInt(LIMIT - 1));
        assert.equal(await chief.call(outsider.address, 'version'), '1.0.0');
        assert.deepEqual(await chief.call(outsider.address, 'filterVolunteer', [[V[0].address]]), []);
        // init already happened, from the chief's constructor
        assert.equal((await base.send(L0.address, 'init', [poc.address, outsider.address])).ok, false);
        // and POC's wrappers answer only to the chief
        assert.equal((await base.send(L0.address, 'pocAddStop', [V[0].address])).ok, false);
    });

    it('only a signer or a leader may call update', async () => {
        chain.setBlock(4);
        const r = await chief.send(outsider.address, 'update', [ZERO]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /neither signer nor leader/);
    });

    it('volunteers queue at i > 0 only; next round at i == l-1 rotates leaders', async () => {
        await update(4, L0, V[4].address); // i = 0: volunteer ignored
        assert.deepEqual(await next(), []);
        assert.equal(await chief.call(outsider.address, 'blockNumber'), 4n);
        await update(5, L0, V[0].address);
        await update(6, L0, V[1].address);
        assert.deepEqual(await next(), [V[0].address, V[1].address]);
        const vol = await chief.call(outsider.address, 'getVolunteers');
        assert.deepEqual(vol, [[V[0].address, V[1].address], [0n, 0n], 2n]);
        assert.equal(await chief.call(outsider.address, '_nextRoundSignerList', [1]), V[1].address);
        await base.call(L0.address, 'appendLeader', [L1.address]);
        await base.call(L0.address, 'appendLeader', [L2.address]);
        await update(7, L0, V[2].address); // i = 3 = l-1
        assert.deepEqual(await signers(), [L1.address, V[0].address, V[1].address, V[2].address]);
        assert.deepEqual(await next(), []);
    });

    it('a signer that signs its own slot is not punished; its volunteer is queued', async () => {
        await update(8, L1);
        const r = await update(9, V[0], V[3].address); // slot 1 is V0's
        assert.equal(r.logs.length, 0);
        assert.deepEqual(await signers(), [L1.address, V[0].address, V[1].address, V[2].address]);
        assert.deepEqual(await next(), [V[3].address]);
    });

    it('penalty: a missed slot stops and blacklists a staked signer via ChiefBase', async () => {
        const r = await update(10, L1, V[4].address); // slot 2 is V1's, L1 produced it
        assert.deepEqual(poc.events(r, 'Stop'), [[V[1].address]]);
        assert.deepEqual(await signers(), [L1.address, V[0].address, ZERO, V[2].address]);
        assert.deepEqual(await poc.call(outsider.address, 'getStopList'), [V[1].address]);
        assert.deepEqual(await poc.call(outsider.address, 'getBlackList'), [V[1].address]);
        const st = await chief.call(outsider.address, 'getStatus');
        assert.deepEqual(st[1], [V[1].address]);
        assert.deepEqual(st[2], [0n, 0n, 0n, 0n]);
        assert.deepEqual(st[3], [8n, 9n, 10n, 11n]);
        assert.equal(st[4], 2n);
        assert.equal(st[5], 10n);
        // V1 lost its slot, so it may no longer call update
        chain.setBlock(11);
        assert.equal((await chief.send(V[1].address, 'update', [ZERO])).ok, false);
    });

    it('next round: leader after signer0, queued volunteers, then 0x0 padding', async () => {
        await update(11, V[2]); // slot 3 is V2's
        assert.deepEqual(await signers(), [L2.address, V[3].address, V[4].address, ZERO]);
        assert.deepEqual(await next(), []);
    });

    it('penalty of an unstaked signer: slot cleared, nothing blacklisted', async () => {
        await update(12, L2);
        const r = await update(13, L2); // slot 1 is V3's (no stake): pocAddStop returns -1
        assert.equal(r.logs.length, 0);
        assert.deepEqual(await signers(), [L2.address, ZERO, V[4].address, ZERO]);
        assert.deepEqual(await poc.call(outsider.address, 'getBlackList'), [V[1].address]);
        await update(14, V[4]);
        await update(15, L2); // wraps from the last leader to the first
        assert.deepEqual(await signers(), [L0.address, ZERO, ZERO, ZERO]);
    });

    it('a signer0 that is no longer a leader still signs; then leaders[0] follows it', async () => {
        await base.call(L0.address, 'removeLeader', [L0.address]);
        await update(16, L0); // in the signer list, no longer a leader
        await update(17, L1);
        await update(18, L1);
        await update(19, L1);
        assert.deepEqual(await signers(), [L1.address, ZERO, ZERO, ZERO]);
        chain.setBlock(20);
        assert.equal((await chief.send(L0.address, 'update', [ZERO])).ok, false);
    });

    it('epoch boundary empties the POC blacklist; the miner may start again', async () => {
        chain.setBlock(19);
        assert.equal((await poc.send(W[1].address, 'start', [V[1].address])).ok, false);
        await update(20, L1); // 20 % epoch == 0
        assert.deepEqual(await poc.call(outsider.address, 'getBlackList'), []);
        assert.deepEqual(await chief.call(outsider.address, 'getStatus').then((s) => s[1]), []);
        assert.equal((await poc.send(W[1].address, 'start', [V[1].address])).ok, true);
    });

    it('the next-round list stops at volunteerLimit', async () => {
        for (const v of V.slice(0, 4)) await update(21, L1, v.address);
        assert.deepEqual(await next(), V.slice(0, 3).map((k) => k.address));
        const st = await chief.call(outsider.address, 'getStatus');
        assert.equal(st[4], 3n);
        assert.deepEqual(st[3], [20n, 21n, 22n, 23n]);
        await update(22, L1);
        await update(23, L1);
        assert.deepEqual(await signers(), [L2.address, V[0].address, V[1].address, V[2].address]);
    });

    it('ChiefBase administers POC: pocSetInitBlockNumber once, pocChangeOwner', async () => {
        chain.setBlock(30);
        assert.equal(await poc.call(outsider.address, 'minDepositAmount'), MIN / 4n); // (30-1)/10 = 2 halvings
        assert.equal((await base.send(outsider.address, 'pocSetInitBlockNumber', [25])).ok, false);
        assert.equal((await base.send(L0.address, 'pocSetInitBlockNumber', [31])).ok, false);
        await base.call(L0.address, 'pocSetInitBlockNumber', [25]);
        assert.equal(await poc.call(outsider.address, 'minDepositAmount'), MIN);
        const again = await base.send(L0.address, 'pocSetInitBlockNumber', [26]);
        assert.equal(again.ok, false);
        assert.match(again.reason, /already set/);
        // POC answers to ChiefBase only, not to ChiefBase's owner
        assert.equal((await poc.send(L0.address, 'ownerSetInitBlockNumber', [26])).ok, false);
        assert.equal((await base.send(outsider.address, 'pocChangeOwner', [outsider.address, 40])).ok, false);
        await base.call(L0.address, 'pocChangeOwner', [outsider.address, 40]);
        assert.deepEqual(await poc.call(outsider.address, 'getOwnerList'),
                         [[base.address, outsider.address], [1n, 40n]]);
        chain.setBlock(39);
        assert.equal((await poc.send(outsider.address, 'ownerPushLockList', [V[0].address])).ok, false);
        chain.setBlock(40);
        assert.equal((await poc.send(outsider.address, 'ownerPushLockList', [V[0].address])).ok, true);
    });

    it('deployed runtime code equals the committed deployedBytecode', async () => {
        for (const c of [base, poc, chief]) {
            assert.equal(await chain.code(c.address), c.artifact.deployedBytecode);
        }
    });
});

// ---- 5. Anmap -------------------------------------------------------------------------------

describe('Anmap', () => {
    let chain, anmap;
    const w1 = makeKey('anmap-wallet-1');
    const w2 = makeKey('anmap-wallet-2');
    const n1 = makeKey('anmap-node-1');
    const n2 = makeKey('anmap-node-2');

    before(async () => {
        chain = await Chain.create();
        for (const k of [w1, w2]) await chain.fund(k.address, 10n * ETHER);
        anmap = await chain.deploy('Anmap', w1.address);
    });

    async function bind(fn, wallet, node, signer = node, signedFor = wallet, rawV = false) {
        const sig = signAddress(signer, signedFor.address, rawV);
        return anmap.send(wallet.address, fn, [node.address, sig.v, sig.r, sig.s]);
    }

    it('bindInfo of unknown addresses is (0x0, [])', async () => {
        assert.deepEqual(await anmap.call(w1.address, 'bindInfo', [n1.address]), [ZERO, []]);
    });

    it('bind needs the node key signature over keccak256(sender)', async () => {
        let r = await bind('bind', w1, n1, n2); // signed by another key
        assert.equal(r.ok, false);
        r = await bind('bind', w1, n1, n1, w2); // signed for another wallet
        assert.equal(r.ok, false);
        r = await bind('bind', w1, n1);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [n1.address]), [w1.address, [n1.address]]);
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [w1.address]), [w1.address, [n1.address]]);
    });

    it('a wallet holds several nodes; a node has one wallet', async () => {
        assert.equal((await bind('bind', w1, n2, n2, w1, true)).ok, true); // v as 0/1
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [n2.address]),
                         [w1.address, [n1.address, n2.address]]);
        const r = await bind('bind', w2, n1);
        assert.equal(r.ok, false);
        assert.match(r.reason, /already bound/);
    });

    it('unbindBySig: by the bound wallet with the node signature', async () => {
        const notMine = await bind('unbindBySig', w2, n1); // not w2's node
        assert.equal(notMine.ok, false);
        assert.match(notMine.reason, /not bound to sender/);
        assert.equal((await bind('unbindBySig', w1, n1, n2)).ok, false); // wrong signer
        const r = await bind('unbindBySig', w1, n1);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [n1.address]), [ZERO, []]);
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [w1.address]), [w1.address, [n2.address]]);
        assert.equal((await bind('bind', w2, n1)).ok, true); // free to bind elsewhere now
        assert.deepEqual(await anmap.call(w2.address, 'bindInfo', [n1.address]), [w2.address, [n1.address]]);
    });
});

// ---- 6. MeshBox -----------------------------------------------------------------------------

describe('MeshBox', () => {
    let chain, mb;
    const owner = makeKey('meshbox-owner');
    const other = makeKey('meshbox-other');
    const a = [1, 2, 3].map((i) => makeKey('meshbox-box-' + i).address);

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, other]) await chain.fund(k.address, 10n * ETHER);
        mb = await chain.deploy('MeshBox', owner.address);
    });

    it('addAddress: owner only; existAddress returns the stored value', async () => {
        assert.equal((await mb.send(other.address, 'addAddress', [[a[0]], 1])).ok, false);
        assert.equal((await mb.send(owner.address, 'addAddress', [[a[0]], 0])).ok, false);
        assert.equal(await mb.call(other.address, 'existAddress', [a[0]]), 0n);
        await mb.call(owner.address, 'addAddress', [[a[0], a[1]], 2]);
        assert.equal(await mb.call(other.address, 'existAddress', [a[0]]), 2n);
        assert.equal(await mb.call(other.address, 'existAddress', [a[2]]), 0n);
        await mb.call(owner.address, 'addAddress', [[a[1], a[2]], 7]); // a1 updated, a2 added
        assert.equal(await mb.call(other.address, 'existAddress', [a[1]]), 7n);
        assert.deepEqual(await mb.call(other.address, 'getMeshboxList'), [a[0], a[1], a[2]]);
        assert.equal(await mb.call(other.address, 'version'), '0.0.2');
    });

    it('delAddress: owner only; unknown addresses are skipped', async () => {
        assert.equal((await mb.send(other.address, 'delAddress', [[a[0]]])).ok, false);
        await mb.call(owner.address, 'delAddress', [[a[0], other.address]]);
        assert.equal(await mb.call(other.address, 'existAddress', [a[0]]), 0n);
        assert.deepEqual((await mb.call(other.address, 'getMeshboxList')).sort(), [a[1], a[2]].sort());
        await mb.call(owner.address, 'delAddress', [[a[1], a[2]]]);
        assert.deepEqual(await mb.call(other.address, 'getMeshboxList'), []);
    });
});
