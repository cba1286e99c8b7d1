// meshbox.test.mjs: the MeshBox registry (contrib/contracts/MeshBoxRegistry.sol) against the
// rules of doc/meshbox.md: the MeshBox 0.0.2 ABI it extends, clients and deposits, receipts
// (forged, replayed, over the cap, for a closed epoch, from an unregistered client, for a
// provider that is no MeshBox), cumulative replacement, the totals view the node reads, the
// weight formula and the draw, and block production over many rounds with TribeChief, POC and
// the registry together. Run by contrib/contracts/test.sh (`node --test`).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
    Chain, loadArtifact, makeKey, selectorOf, signatureOf, keccakHex, hexToBytes, ETHER, ROOT,
} from './harness.mjs';
import {
    receiptMessage, receiptHash, highSTwin, weights, draw, candidates, chiSquare, CHI2_1PCT,
    fakeCost, REFUSED,
} from './meshbox_rules.mjs';
import {
    REGTEST, deployRegistry, eventsOf, receipt, report, deployTribe, stake,
} from './meshbox_harness.mjs';

const ZERO = '0x0000000000000000000000000000000000000000';
const DOC = fs.readFileSync(path.join(ROOT, 'doc', 'meshbox.md'), 'utf8');

// MeshBox 0.0.2's ABI (spec §9): [signature, selector, output types].
const MESHBOX_002 = [
    ['addAddress(address[],uint256)', 'ba4c18db', []],
    ['delAddress(address[])', '5022edf8', []],
    ['existAddress(address)', '80b7069d', ['uint256']],
    ['getMeshboxList()', '3ec7eed1', ['address[]']],
    ['version()', '54fd4d50', ['string']],
];

// Opcodes that Byzantium lacks (spec §6.6).
const POST_BYZANTIUM = new Map([
    [0x1b, 'SHL'], [0x1c, 'SHR'], [0x1d, 'SAR'], [0x3f, 'EXTCODEHASH'], [0xf5, 'CREATE2'],
    [0x46, 'CHAINID'], [0x47, 'SELFBALANCE'], [0x48, 'BASEFEE'], [0x5f, 'PUSH0'],
    [0x5c, 'TLOAD'], [0x5d, 'TSTORE'], [0x5e, 'MCOPY'],
]);

// [opcodes used, PUSH4 operands] of code without metadata.
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

function stripMetadata(code) {
    const len = (code[code.length - 2] << 8) | code[code.length - 1];
    return code.slice(0, code.length - len - 2);
}

// Rows `| \`a\` | \`b\` |` of the doc section that starts with `heading`.
function docRows(heading) {
    const start = DOC.indexOf(heading);
    assert.ok(start >= 0, `doc/meshbox.md has no "${heading}"`);
    const next = DOC.indexOf('\n## ', start + 1);
    const text = DOC.slice(start, next < 0 ? undefined : next);
    return text.split('\n').filter((l) => /^\| `/.test(l)).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

// ---- 1. ABI ---------------------------------------------------------------------------------

describe('MeshBoxRegistry ABI', () => {
    const art = loadArtifact('MeshBoxRegistry');
    const old = loadArtifact('MeshBox');

    it('is a superset of MeshBox 0.0.2: same signatures, selectors, outputs and mutability', () => {
        for (const [sig, sel, outputs] of MESHBOX_002) {
            assert.equal(selectorOf(sig), '0x' + sel, sig);
            const f = art.abi.find((e) => e.type === 'function' && signatureOf(e) === sig);
            const g = old.abi.find((e) => e.type === 'function' && signatureOf(e) === sig);
            assert.ok(f, `${sig} missing`);
            assert.deepEqual(f.outputs.map((o) => o.type), outputs, `${sig} outputs`);
            assert.deepEqual(f.outputs.map((o) => o.type), g.outputs.map((o) => o.type), `${sig} outputs vs 0.0.2`);
            assert.equal(f.stateMutability, g.stateMutability, `${sig} mutability`);
        }
    });

    it('doc/meshbox.md §10 lists exactly the functions and events of the ABI', () => {
        const fns = art.abi.filter((e) => e.type === 'function').map(signatureOf).sort();
        const rows = docRows('## 10. ABI reference');
        const docFns = rows.filter(([s]) => !/^`[A-Z]/.test(s));
        const docEvs = rows.filter(([s]) => /^`[A-Z]/.test(s));
        assert.deepEqual(docFns.map(([s]) => s.slice(1, -1)).sort(), fns);
        for (const [s, sel] of docFns) assert.equal('0x' + sel.slice(1, -1), selectorOf(s.slice(1, -1)), s);
        const evs = art.abi.filter((e) => e.type === 'event').map(signatureOf).sort();
        assert.deepEqual(docEvs.map(([s]) => s.slice(1, -1)).sort(), evs);
        for (const [s, t] of docEvs) assert.equal(t.slice(1, -1), keccakHex(s.slice(1, -1)), s);
    });

    it('the dispatcher handles every function; only register() is payable', () => {
        const [, push4] = scan(stripMetadata(hexToBytes(art.deployedBytecode)));
        for (const f of art.abi.filter((e) => e.type === 'function')) {
            assert.ok(push4.has(selectorOf(signatureOf(f)).slice(2)), `no PUSH4 for ${signatureOf(f)}`);
            assert.equal(f.stateMutability === 'payable', f.name === 'register', `${f.name} payability`);
        }
    });

    it('bytecode uses only Byzantium opcodes; the artifact matches the source and settings', () => {
        const runtime = hexToBytes(art.deployedBytecode);
        const at = art.bytecode.slice(2).indexOf(art.deployedBytecode.slice(2));
        assert.ok(at > 0 && at % 2 === 0);
        for (const code of [stripMetadata(runtime), hexToBytes(art.bytecode).slice(0, at / 2)]) {
            const [ops] = scan(code);
            for (const [op, name] of POST_BYZANTIUM) assert.ok(!ops.has(op), `uses ${name}`);
        }
        assert.match(art.solcVersion, /^0\.5\.17\+commit\./);
        assert.equal(art.settings.evmVersion, 'byzantium');
        const src = fs.readFileSync(path.join(ROOT, 'contrib', 'contracts', 'MeshBoxRegistry.sol'));
        assert.equal(art.sourceSha256, crypto.createHash('sha256').update(src).digest('hex'),
                     'share/contracts/MeshBoxRegistry.json is stale: run contrib/contracts/build.sh');
    });
});

// ---- 2. Construction and parameters --------------------------------------------------------

describe('MeshBoxRegistry parameters', () => {
    let chain;
    const owner = makeKey('mbx-param-owner');
    const other = makeKey('mbx-param-other');

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, other]) await chain.fund(k.address, 10n * ETHER);
    });

    it('refuses a zero chainId, epochLength or clientDeposit and a unitCap outside 1..2^128', async () => {
        for (const [args, re] of [
            [{ ...REGTEST, chainId: 0n }, /chainId/],
            [{ ...REGTEST, epochLength: 0n }, /epochLength/],
            [{ ...REGTEST, clientDeposit: 0n }, /clientDeposit/],
            [{ ...REGTEST, unitCap: 0n }, /unitCap/],
            [{ ...REGTEST, unitCap: (1n << 128n) + 1n }, /unitCap/],
        ]) {
            await assert.rejects(deployRegistry(chain, owner.address, args), re);
        }
        await deployRegistry(chain, owner.address, { ...REGTEST, unitCap: 1n << 128n });
    });

    it('keeps the constructor parameters readable; the deployer is the owner', async () => {
        const reg = await deployRegistry(chain, owner.address);
        assert.equal(await reg.call(other.address, 'chainId'), REGTEST.chainId);
        assert.equal(await reg.call(other.address, 'epochLength'), REGTEST.epochLength);
        assert.equal(await reg.call(other.address, 'clientDeposit'), REGTEST.clientDeposit);
        assert.equal(await reg.call(other.address, 'unitCap'), REGTEST.unitCap);
        assert.equal(await reg.call(other.address, 'owner'), owner.address);
        assert.equal(await reg.call(other.address, 'maxBoxes'), 1024n);
        assert.equal(await reg.call(other.address, 'maxBatch'), 100n);
        assert.equal(await reg.call(other.address, 'version'), '1.0.0');
    });

    it('epochOf(n) = floor(n / epochLength); currentEpoch follows the block', async () => {
        const reg = await deployRegistry(chain, owner.address);
        for (const [n, e] of [[0n, 0n], [99n, 0n], [100n, 1n], [199n, 1n], [12345n, 123n]]) {
            assert.equal(await reg.call(other.address, 'epochOf', [n]), e);
            chain.setBlock(n);
            assert.equal(await reg.call(other.address, 'currentEpoch'), e);
        }
        chain.setBlock(1);
    });

    it('a plain transfer of coin is refused', async () => {
        const reg = await deployRegistry(chain, owner.address);
        const r = await chain.run({ from: other.address, to: reg.address, data: new Uint8Array(0), value: ETHER });
        assert.equal(r.ok, false);
        assert.equal(await chain.balance(reg.address), 0n);
    });
});

// ---- 3. MeshBox 0.0.2 behaviour -------------------------------------------------------------

describe('MeshBoxRegistry as MeshBox 0.0.2', () => {
    let chain, reg;
    const owner = makeKey('mbx-002-owner');
    const other = makeKey('mbx-002-other');
    const a = [1, 2, 3].map((i) => makeKey('mbx-002-box-' + i).address);

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, other]) await chain.fund(k.address, 10n * ETHER);
        reg = await deployRegistry(chain, owner.address);
    });

    it('addAddress: owner only, value > 0, no zero address; updates; AddressAdded per address', async () => {
        assert.equal((await reg.send(other.address, 'addAddress', [[a[0]], 1])).ok, false);
        assert.equal((await reg.send(owner.address, 'addAddress', [[a[0]], 0])).ok, false);
        assert.match((await reg.send(owner.address, 'addAddress', [[a[0], ZERO], 1])).reason, /zero address/);
        assert.equal(await reg.call(other.address, 'existAddress', [a[0]]), 0n);
        const r = await reg.send(owner.address, 'addAddress', [[a[0], a[1]], 2]);
        assert.equal(r.ok, true);
        assert.deepEqual(eventsOf(reg, r, 'AddressAdded'), [{ meshbox: a[0], value: 2n }, { meshbox: a[1], value: 2n }]);
        assert.equal(await reg.call(other.address, 'existAddress', [a[0]]), 2n);
        await reg.call(owner.address, 'addAddress', [[a[1], a[2]], 7]);
        assert.equal(await reg.call(other.address, 'existAddress', [a[1]]), 7n);
        assert.deepEqual(await reg.call(other.address, 'getMeshboxList'), [a[0], a[1], a[2]]);
    });

    it('delAddress: owner only; unknown skipped; the last fills the gap; AddressRemoved', async () => {
        assert.equal((await reg.send(other.address, 'delAddress', [[a[0]]])).ok, false);
        const r = await reg.send(owner.address, 'delAddress', [[a[0], other.address]]);
        assert.deepEqual(eventsOf(reg, r, 'AddressRemoved'), [{ meshbox: a[0] }]);
        assert.equal(await reg.call(other.address, 'existAddress', [a[0]]), 0n);
        assert.deepEqual(await reg.call(other.address, 'getMeshboxList'), [a[2], a[1]]);
        await reg.call(owner.address, 'delAddress', [[a[1], a[2]]]);
        assert.deepEqual(await reg.call(other.address, 'getMeshboxList'), []);
    });

    it('the list holds at most maxBoxes() = 1024 addresses', async () => {
        const many = Array.from({ length: 1024 }, (_, i) => '0x' + (0x1000 + i).toString(16).padStart(40, '0'));
        for (let k = 0; k < many.length; k += 256) {
            const r = await reg.send(owner.address, 'addAddress', [many.slice(k, k + 256), 1]);
            assert.equal(r.ok, true, r.reason);
        }
        const full = await reg.send(owner.address, 'addAddress', [[a[0]], 1]);
        assert.equal(full.ok, false);
        assert.match(full.reason, /list is full/);
        await reg.call(owner.address, 'addAddress', [[many[5]], 3]); // updating stays possible
        assert.equal((await reg.call(other.address, 'getMeshboxList')).length, 1024);
        const [boxes, totals] = await reg.call(other.address, 'getEpochTotals', [0]);
        assert.equal(boxes.length, 1024);
        assert.equal(totals.length, 1024);
    });
});

// ---- 4. Clients and deposits -----------------------------------------------------------------

describe('clients: register, deregister, withdraw two epochs later', () => {
    let chain, reg;
    const owner = makeKey('mbx-client-owner');
    const c1 = makeKey('mbx-client-1');
    const c2 = makeKey('mbx-client-2');
    const stranger = makeKey('mbx-client-stranger');

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, c1, c2, stranger]) await chain.fund(k.address, 1000n * ETHER);
        chain.setBlock(150); // epoch 1
        reg = await deployRegistry(chain, owner.address);
    });

    it('register needs at least clientDeposit, once; ClientRegistered', async () => {
        const low = await reg.send(c1.address, 'register', [], REGTEST.clientDeposit - 1n);
        assert.equal(low.ok, false);
        assert.match(low.reason, /below clientDeposit/);
        const r = await reg.send(c1.address, 'register', [], REGTEST.clientDeposit + 5n);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(reg, r, 'ClientRegistered'),
                         [{ client: c1.address, deposit: REGTEST.clientDeposit + 5n, epoch: 1n }]);
        assert.equal(await chain.balance(reg.address), REGTEST.clientDeposit + 5n);
        assert.deepEqual(await reg.call(stranger.address, 'getClient', [c1.address]),
                         [REGTEST.clientDeposit + 5n, 1n, false, 0n]);
        const again = await reg.send(c1.address, 'register', [], REGTEST.clientDeposit);
        assert.match(again.reason, /already registered/);
    });

    it('isClientActive: from the registration epoch on, not before', async () => {
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 0]), false);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 1]), true);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 7]), true);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c2.address, 1]), false);
    });

    it('withdraw needs a deregistration; deregister needs a registration, once', async () => {
        assert.match((await reg.send(c1.address, 'withdraw')).reason, /deregister first/);
        assert.match((await reg.send(c2.address, 'withdraw')).reason, /not registered/);
        assert.match((await reg.send(c2.address, 'deregister')).reason, /not registered/);
        chain.setBlock(250); // epoch 2
        const r = await reg.send(c1.address, 'deregister');
        assert.deepEqual(eventsOf(reg, r, 'ClientDeregistered'), [{ client: c1.address, epoch: 2n, withdrawEpoch: 4n }]);
        assert.match((await reg.send(c1.address, 'deregister')).reason, /already deregistered/);
        assert.deepEqual(await reg.call(stranger.address, 'getClient', [c1.address]),
                         [REGTEST.clientDeposit + 5n, 1n, true, 2n]);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 2]), true);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 3]), false);
        assert.match((await reg.send(c1.address, 'register', [], REGTEST.clientDeposit)).reason, /already registered/);
    });

    it('the deposit stays locked through epoch D+1 and comes back whole at D+2', async () => {
        for (const n of [250, 399]) {
            chain.setBlock(n);
            const r = await reg.send(c1.address, 'withdraw');
            assert.equal(r.ok, false, `withdraw at block ${n}`);
            assert.match(r.reason, /still locked/);
        }
        chain.setBlock(400); // epoch 4 = D + 2
        const before = await chain.balance(c1.address);
        const r = await reg.send(c1.address, 'withdraw');
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(eventsOf(reg, r, 'ClientWithdrawn'), [{ client: c1.address, amount: REGTEST.clientDeposit + 5n }]);
        assert.equal(await chain.balance(c1.address), before + REGTEST.clientDeposit + 5n);
        assert.equal(await chain.balance(reg.address), 0n);
        assert.deepEqual(await reg.call(stranger.address, 'getClient', [c1.address]), [0n, 0n, false, 0n]);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 2]), false);
        assert.match((await reg.send(c1.address, 'withdraw')).reason, /not registered/);
    });

    it('after withdrawing, the address may register again for a new epoch', async () => {
        chain.setBlock(420);
        assert.equal((await reg.send(c1.address, 'register', [], REGTEST.clientDeposit)).ok, true);
        assert.deepEqual(await reg.call(stranger.address, 'getClient', [c1.address]), [REGTEST.clientDeposit, 4n, false, 0n]);
        assert.equal(await reg.call(stranger.address, 'isClientActive', [c1.address, 3]), false);
    });
});

// ---- 5. Receipts and report() --------------------------------------------------------------------

describe('report(): which receipts count', () => {
    let chain, reg;
    const owner = makeKey('mbx-rep-owner');
    const p1 = makeKey('mbx-rep-box-1');
    const p2 = makeKey('mbx-rep-box-2');
    const notBox = makeKey('mbx-rep-not-a-box');
    const c1 = makeKey('mbx-rep-client-1');
    const c2 = makeKey('mbx-rep-client-2');
    const c3 = makeKey('mbx-rep-client-3');
    const unregistered = makeKey('mbx-rep-unregistered');
    const late = makeKey('mbx-rep-late');
    const relayer = makeKey('mbx-rep-relayer');
    const CAP = REGTEST.unitCap;

    const units = (provider, client, epoch) => reg.call(relayer.address, 'receiptUnits', [provider.address, client.address, epoch]);
    const clientUnits = (client, epoch) => reg.call(relayer.address, 'clientUnits', [client.address, epoch]);
    const total = (provider, epoch) => reg.call(relayer.address, 'providerTotal', [provider.address, epoch]);

    // Reports one receipt and returns the refusal reason (0n when accepted).
    async function one(provider, epoch, rc, from = provider.address) {
        const r = await report(reg, from, provider.address, epoch, [rc]);
        assert.equal(r.ok, true, r.reason);
        const refused = eventsOf(reg, r, 'ReceiptRefused');
        return refused.length ? refused[0].reason : 0n;
    }

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, p1, p2, notBox, c1, c2, c3, unregistered, late, relayer]) {
            await chain.fund(k.address, 1000n * ETHER);
        }
        chain.setBlock(10);
        reg = await deployRegistry(chain, owner.address);
        await reg.call(owner.address, 'addAddress', [[p1.address, p2.address], 1]);
        for (const c of [c1, c2, c3, p1]) await reg.call(c.address, 'register', [], REGTEST.clientDeposit);
        chain.setBlock(20);
    });

    it('receiptHash is the doc message: prefix, u256 chainId, provider, client, u64 epoch, u256 units', async () => {
        const f = { chainId: REGTEST.chainId, provider: p1.address, client: c1.address, epoch: 7n, units: 123456789n };
        const msg = receiptMessage(f);
        assert.equal(msg.length, 139);
        assert.equal(Buffer.from(msg.slice(0, 27)).toString('latin1'), '\x19Spectrum MeshBox Receipt:\n');
        assert.equal(await reg.call(relayer.address, 'receiptHash', [p1.address, c1.address, 7n, 123456789n]), receiptHash(f));
        const big = { ...f, epoch: (1n << 64n) - 1n, units: (1n << 256n) - 1n };
        assert.equal(await reg.call(relayer.address, 'receiptHash', [p1.address, c1.address, big.epoch, big.units]),
                     receiptHash(big));
        assert.equal((await reg.send(relayer.address, 'receiptHash', [p1.address, c1.address, 1n << 64n, 1n])).ok, false);
    });

    it('a valid receipt counts: receipt, client and provider totals; events', async () => {
        const r = await report(reg, p1.address, p1.address, 0, [receipt(c1, p1.address, 0, 500)]);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(r.out, [1n]);
        assert.deepEqual(eventsOf(reg, r, 'ReceiptAccepted'),
                         [{ provider: p1.address, client: c1.address, epoch: 0n, units: 500n, providerTotal: 500n }]);
        assert.deepEqual(eventsOf(reg, r, 'Reported'),
                         [{ provider: p1.address, epoch: 0n, submitter: p1.address, accepted: 1n, refused: 0n }]);
        assert.equal(await units(p1, c1, 0), 500n);
        assert.equal(await clientUnits(c1, 0), 500n);
        assert.equal(await total(p1, 0), 500n);
    });

    it('cumulative: a later receipt with more units replaces the earlier one', async () => {
        assert.equal(await one(p1, 0, receipt(c1, p1.address, 0, 800)), 0n);
        assert.equal(await units(p1, c1, 0), 800n);
        assert.equal(await clientUnits(c1, 0), 800n);
        assert.equal(await total(p1, 0), 800n); // 800, not 500 + 800
        assert.equal(await one(p1, 0, receipt(c2, p1.address, 0, 300)), 0n);
        assert.equal(await total(p1, 0), 1100n);
        assert.equal(await one(p1, 0, receipt(c2, p1.address, 0, 1000)), 0n);
        assert.equal(await total(p1, 0), 1800n);
    });

    it('replayed: the same receipt again, or one with fewer units, is refused', async () => {
        const rc = receipt(c1, p1.address, 0, 800);
        assert.equal(await one(p1, 0, rc), REFUSED.REPLAY);
        assert.equal(await one(p1, 0, receipt(c1, p1.address, 0, 700)), REFUSED.REPLAY);
        assert.equal(await one(p1, 0, receipt(c1, p1.address, 0, 0)), REFUSED.REPLAY);
        assert.equal(await units(p1, c1, 0), 800n);
        assert.equal(await total(p1, 0), 1800n);
        // the same receipt for another provider is another receipt (and needs its own signature)
        assert.equal(await one(p2, 0, rc), REFUSED.SIGNATURE);
    });

    it('forged: any field not signed by the client is refused', async () => {
        const forged = [
            receipt(c1, p1.address, 0, 900, { signer: c2 }), // another key
            receipt(c1, p1.address, 0, 900, { fields: { provider: p2.address } }), // for another provider
            receipt(c1, p1.address, 0, 900, { fields: { chainId: 4n } }), // for another chain
            receipt(c1, p1.address, 0, 900, { fields: { epoch: 1n } }), // for another epoch
            receipt(c1, p1.address, 0, 900, { fields: { units: 899n } }), // for other units
            receipt(c1, p1.address, 0, 900, { fields: { client: c2.address } }), // for another client
        ];
        for (const rc of forged) assert.equal(await one(p1, 0, rc), REFUSED.SIGNATURE);
        const good = receipt(c1, p1.address, 0, 900);
        const twin = { ...good, ...highSTwin(good) };
        assert.equal(await one(p1, 0, twin), REFUSED.SIGNATURE, 'high-s twin');
        assert.equal(await one(p1, 0, { ...good, v: good.v - 27 }), REFUSED.SIGNATURE, 'v as 0/1');
        assert.equal(await one(p1, 0, { ...good, v: 29 }), REFUSED.SIGNATURE, 'v = 29');
        assert.equal(await one(p1, 0, { ...good, r: '0x' + '00'.repeat(32) }), REFUSED.SIGNATURE, 'r = 0');
        assert.equal(await one(p1, 0, { ...good, s: '0x' + '00'.repeat(32) }), REFUSED.SIGNATURE, 's = 0');
        assert.equal(await units(p1, c1, 0), 800n);
        assert.equal(await total(p1, 0), 1800n);
        assert.equal(await one(p1, 0, good), 0n); // the genuine one still counts
        assert.equal(await total(p1, 0), 1900n);
    });

    it('a provider cannot be its own client', async () => {
        assert.equal(await one(p1, 0, receipt(p1, p1.address, 0, 100)), REFUSED.SELF);
        assert.equal(await one(p2, 0, receipt(p1, p2.address, 0, 100)), 0n); // p1 as a client of p2 is fine
    });

    it('unregistered client, or a client registered after the epoch: refused', async () => {
        assert.equal(await one(p1, 0, receipt(unregistered, p1.address, 0, 100)), REFUSED.CLIENT);
        chain.setBlock(150); // epoch 1
        await reg.call(late.address, 'register', [], REGTEST.clientDeposit);
        assert.equal(await one(p1, 0, receipt(late, p1.address, 0, 100)), REFUSED.CLIENT);
        assert.equal(await one(p1, 1, receipt(late, p1.address, 1, 100)), 0n);
    });

    it('over the cap: one client gives at most unitCap per epoch over all providers', async () => {
        assert.equal(await one(p1, 1, receipt(c2, p1.address, 1, CAP + 1n)), REFUSED.CAP);
        assert.equal(await one(p1, 1, receipt(c2, p1.address, 1, 600_000_000n)), 0n);
        assert.equal(await one(p2, 1, receipt(c2, p2.address, 1, 500_000_000n)), REFUSED.CAP);
        // units near 2^256 must not wrap the client's sum around to below the cap
        assert.equal(await one(p2, 1, receipt(c2, p2.address, 1, (1n << 256n) - 100_000_000n)), REFUSED.CAP);
        assert.equal(await one(p2, 1, receipt(c2, p2.address, 1, (1n << 256n) - 1n)), REFUSED.CAP);
        assert.equal(await one(p2, 1, receipt(c2, p2.address, 1, 400_000_000n)), 0n); // exactly the cap
        assert.equal(await clientUnits(c2, 1), CAP);
        assert.equal(await one(p1, 1, receipt(c2, p1.address, 1, 600_000_001n)), REFUSED.CAP);
        assert.equal(await units(p1, c2, 1), 600_000_000n);
        assert.equal(await total(p1, 1), 600_000_100n);
        assert.equal(await total(p2, 1), 400_000_000n);
        // the cap is per epoch: the same client has a fresh one in epoch 0's accounts
        assert.equal(await clientUnits(c2, 0), 1000n);
    });

    it('wrong epoch: only the current and the previous epoch are open; the batch reverts', async () => {
        chain.setBlock(199); // epoch 1: epochs 0 and 1 open
        assert.equal(await one(p1, 0, receipt(c3, p1.address, 0, 10)), 0n);
        chain.setBlock(200); // epoch 2: epochs 1 and 2 open
        for (const e of [0, 3, 1000]) {
            const r = await report(reg, p1.address, p1.address, e, [receipt(c3, p1.address, e, 20)]);
            assert.equal(r.ok, false, `epoch ${e}`);
            assert.match(r.reason, /epoch not open/);
        }
        assert.equal(await units(p1, c3, 0), 10n);
        assert.equal(await one(p1, 1, receipt(c3, p1.address, 1, 20)), 0n);
        assert.equal(await one(p1, 2, receipt(c3, p1.address, 2, 30)), 0n);
    });

    it('a provider that is not a MeshBox (never, or no longer) reverts the batch', async () => {
        const r = await report(reg, notBox.address, notBox.address, 2, [receipt(c3, notBox.address, 2, 10)]);
        assert.equal(r.ok, false);
        assert.match(r.reason, /not a MeshBox/);
        await reg.call(owner.address, 'delAddress', [[p2.address]]);
        const gone = await report(reg, p2.address, p2.address, 2, [receipt(c3, p2.address, 2, 10)]);
        assert.match(gone.reason, /not a MeshBox/);
        assert.equal(await total(p2, 1), 400_000_000n); // what it earned stays recorded
        await reg.call(owner.address, 'addAddress', [[p2.address], 1]);
        assert.equal(await one(p2, 2, receipt(c3, p2.address, 2, 10)), 0n);
    });

    it('a deregistered client counts up to its deregistration epoch only', async () => {
        await reg.call(c3.address, 'deregister'); // at epoch 2
        assert.equal(await one(p1, 2, receipt(c3, p1.address, 2, 40)), 0n);
        chain.setBlock(300); // epoch 3
        assert.equal(await one(p1, 3, receipt(c3, p1.address, 3, 10)), REFUSED.CLIENT);
        assert.equal(await one(p1, 2, receipt(c3, p1.address, 2, 50)), 0n); // epoch 2 still open
        chain.setBlock(400); // epoch 4: deposit back, epoch 2 closed
        assert.equal((await reg.send(c3.address, 'withdraw')).ok, true);
        assert.equal(await one(p1, 4, receipt(c3, p1.address, 4, 10)), REFUSED.CLIENT);
    });

    it('a mixed batch: each receipt judged alone, in order; anyone may submit it', async () => {
        chain.setBlock(410);
        const batch = [
            receipt(c1, p1.address, 4, 100),
            receipt(c2, p1.address, 4, 100, { signer: c1 }), // forged
            receipt(c1, p1.address, 4, 100), // replay of the first
            receipt(unregistered, p1.address, 4, 100),
            receipt(c2, p1.address, 4, 250),
        ];
        const r = await report(reg, relayer.address, p1.address, 4, batch);
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(r.out, [2n]);
        assert.deepEqual(eventsOf(reg, r, 'ReceiptAccepted').map((e) => [e.client, e.units, e.providerTotal]),
                         [[c1.address, 100n, 100n], [c2.address, 250n, 350n]]);
        assert.deepEqual(eventsOf(reg, r, 'ReceiptRefused').map((e) => [e.client, e.reason]),
                         [[c2.address, REFUSED.SIGNATURE], [c1.address, REFUSED.REPLAY], [unregistered.address, REFUSED.CLIENT]]);
        assert.deepEqual(eventsOf(reg, r, 'Reported'),
                         [{ provider: p1.address, epoch: 4n, submitter: relayer.address, accepted: 2n, refused: 3n }]);
        assert.equal(await total(p1, 4), 350n);
    });

    it('a malformed batch reverts: empty, arrays of different lengths, more than maxBatch', async () => {
        const empty = await report(reg, p1.address, p1.address, 4, []);
        assert.match(empty.reason, /empty batch/);
        const rc = receipt(c1, p1.address, 4, 200);
        const uneven = await reg.send(p1.address, 'report', [p1.address, 4, [rc.client, rc.client], [rc.units], [rc.r], [rc.s], [rc.v]]);
        assert.match(uneven.reason, /differ in length/);
        const tooMany = await report(reg, p1.address, p1.address, 4, Array(101).fill(rc));
        assert.match(tooMany.reason, /batch too large/);
        assert.equal(await units(p1, c1, 4), 100n);
    });

    it('a full batch of 100 first receipts stays far below the block gas limit', async () => {
        const clients = Array.from({ length: 100 }, (_, i) => makeKey('mbx-rep-many-' + i));
        for (const c of clients) {
            await chain.fund(c.address, 1000n * ETHER);
            await reg.call(c.address, 'register', [], REGTEST.clientDeposit);
        }
        const r = await report(reg, p2.address, p2.address, 4, clients.map((c) => receipt(c, p2.address, 4, 1000)));
        assert.equal(r.ok, true, r.reason);
        assert.deepEqual(r.out, [100n]);
        assert.equal(await total(p2, 4), 100_000n);
        assert.ok(r.gasUsed < 8_000_000n, `a full batch used ${r.gasUsed} gas`);
    });
});

// ---- 6. The totals view and the weights ------------------------------------------------------

describe('getEpochTotals and the weight formula', () => {
    let chain, reg;
    const owner = makeKey('mbx-tot-owner');
    const boxes = [1, 2, 3, 4, 5].map((i) => makeKey('mbx-tot-box-' + i));
    const clients = [1, 2, 3, 4].map((i) => makeKey('mbx-tot-client-' + i));

    before(async () => {
        chain = await Chain.create();
        for (const k of [owner, ...boxes, ...clients]) await chain.fund(k.address, 1000n * ETHER);
        chain.setBlock(5);
        reg = await deployRegistry(chain, owner.address);
        await reg.call(owner.address, 'addAddress', [boxes.map((b) => b.address), 1]);
        for (const c of clients) await reg.call(c.address, 'register', [], REGTEST.clientDeposit);
        // contributions 1 : 2 : 3 : 4, box 5 none
        for (let i = 0; i < 4; i++) {
            const r = await report(reg, boxes[i].address, boxes[i].address, 0,
                                   [receipt(clients[i], boxes[i].address, 0, (i + 1) * 1000)]);
            assert.equal(r.ok, true, r.reason);
        }
    });

    it('returns getMeshboxList and each box total for the epoch, zeros for an epoch without reports', async () => {
        const list = await reg.call(owner.address, 'getMeshboxList');
        const [b, t] = await reg.call(owner.address, 'getEpochTotals', [0]);
        assert.deepEqual(b, list);
        assert.deepEqual(b, boxes.map((k) => k.address));
        assert.deepEqual(t, [1000n, 2000n, 3000n, 4000n, 0n]);
        for (let i = 0; i < 5; i++) {
            assert.equal(await reg.call(owner.address, 'providerTotal', [b[i], 0]), t[i]);
        }
        assert.deepEqual((await reg.call(owner.address, 'getEpochTotals', [1]))[1], [0n, 0n, 0n, 0n, 0n]);
    });

    it('w = 1 + floor(1000 c / sum c): 1:2:3:4 gives 101, 201, 301, 401 and 1 for no contribution', async () => {
        const [, t] = await reg.call(owner.address, 'getEpochTotals', [0]);
        // The doc's formula, written out here once more on plain numbers.
        const sum = t.reduce((a, x) => a + x, 0n);
        const byHand = t.map((c) => 1n + (1000n * c) / sum);
        assert.deepEqual(weights(t), byHand);
        assert.deepEqual(weights(t), [101n, 201n, 301n, 401n, 1n]);
        assert.deepEqual(weights(t.slice(0, 4)), [101n, 201n, 301n, 401n]); // the doc's example, W = 1004
        assert.equal(weights(t.slice(0, 4)).reduce((a, x) => a + x, 0n), 1004n);
        assert.deepEqual(weights([0n, 0n, 0n]), [1n, 1n, 1n]);
        assert.deepEqual(weights([0n, 7n, 0n]), [1n, 1001n, 1n]);
        for (const w of [weights(t), weights([5n, 5n, 5n]), weights([1n, 0n, 10n ** 30n])]) {
            const W = w.reduce((a, x) => a + x, 0n);
            assert.ok(W >= BigInt(w.length) && W <= BigInt(w.length) + 1000n);
        }
    });

    it('a removed box leaves the view; added again, its totals are back', async () => {
        await reg.call(owner.address, 'delAddress', [[boxes[0].address]]);
        let [b, t] = await reg.call(owner.address, 'getEpochTotals', [0]);
        assert.deepEqual(b, [boxes[4].address, boxes[1].address, boxes[2].address, boxes[3].address]);
        assert.deepEqual(t, [0n, 2000n, 3000n, 4000n]);
        await reg.call(owner.address, 'addAddress', [[boxes[0].address], 1]);
        [b, t] = await reg.call(owner.address, 'getEpochTotals', [0]);
        assert.equal(b[4], boxes[0].address);
        assert.equal(t[4], 1000n);
    });
});

// ---- 7. The draw and the cost of faking, against the doc ----------------------------------

describe('the weighted draw and the cost formula (doc §5, §7, §11)', () => {
    it('reproduces the test vectors of doc §11', () => {
        const rows = DOC.slice(DOC.indexOf('## 11.')).split('\n').filter((l) => /^\| \d/.test(l));
        assert.ok(rows.length >= 5, 'doc §11 has too few vectors');
        for (const row of rows) {
            const [w, vrf, n, r, idx] = row.split('|').slice(1, -1).map((c) => c.trim());
            const d = draw(w.split(',').map((x) => BigInt(x.trim())), vrf.slice(1, -1), BigInt(n));
            assert.equal(d.r, BigInt(r), row);
            assert.equal(d.index, Number(idx), row);
        }
    });

    it('the winner is the first candidate whose cumulative weight exceeds r', () => {
        // r = 100 is the last unit of weight 101, r = 101 the first of the next (doc §11 rows 2, 3).
        const z = '0x' + '00'.repeat(32);
        assert.deepEqual(draw([101n, 201n, 301n, 401n], z, 841n), { r: 100n, index: 0 });
        assert.deepEqual(draw([101n, 201n, 301n, 401n], z, 961n), { r: 101n, index: 1 });
        assert.deepEqual(draw([1n, 1001n, 1n], z, 281n), { r: 1002n, index: 2 }); // weight 1 can win
    });

    it('draws with replacement follow the weights (4000 draws, chi-square at 1 %)', () => {
        const w = [101n, 201n, 301n, 401n];
        const count = [0, 0, 0, 0];
        for (let n = 0; n < 4000; n++) count[draw(w, keccakHex('meshbox-draw-' + n), BigInt(n)).index]++;
        assert.ok(chiSquare(count, w) < CHI2_1PCT[3], `counts ${count}`);
        assert.ok(chiSquare(count, [1, 1, 1, 1]) > CHI2_1PCT[3], 'not distinguishable from uniform');
    });

    it('candidates keep the registry order and drop boxes outside the POC normal list', () => {
        const c = candidates(['0xA1', '0xb2', '0xc3', '0xd4'], [1n, 2n, 3n, 4n], ['0xd4', '0xa1', '0xc3', '0xe5']);
        assert.deepEqual(c, { boxes: ['0xA1', '0xc3', '0xd4'], totals: [1n, 3n, 4n] });
    });

    it('the worked numbers of doc §7 follow from the formula', () => {
        const base = { m: 10, honest: 50n * 10n ** 9n, unitCap: REGTEST.unitCap, clientDeposit: REGTEST.clientDeposit };
        for (const [fNum, fDen, clients, smt] of [[1, 2, 51n, 5100n], [9, 10, 494n, 49400n], [1, 10, 6n, 600n]]) {
            const c = fakeCost({ ...base, fNum, fDen });
            assert.equal(c.clients, clients, `f = ${fNum}/${fDen}`);
            assert.equal(c.deposit, smt * ETHER);
            assert.ok(DOC.includes(`${smt.toLocaleString('en-US')} SMT`), `doc §7 lacks ${smt} SMT`);
            // and the attacker's weight share with that many clients at the cap reaches f
            const A = clients * REGTEST.unitCap;
            const w = weights([A, base.honest]);
            const others = 9n; // nine honest boxes at weight >= 1 each, sharing the rest
            const W = w[0] + (w[1] - 1n) + others;
            assert.ok(Number(w[0]) / Number(W) >= fNum / fDen - 0.002, `share ${Number(w[0]) / Number(W)}`);
        }
        // the cost grows with the share and without bound towards 1
        const costs = [[1, 4], [1, 2], [3, 4], [99, 100]].map(([n, d]) => fakeCost({ ...base, fNum: n, fDen: d }).deposit);
        for (let i = 1; i < costs.length; i++) assert.ok(costs[i] > costs[i - 1]);
    });
});

// ---- 8. Production over many rounds: TribeChief + POC + the registry ---------------------

describe('block production follows the weighted draw (TribeChief, POC, registry)', () => {
    let chain, tribe, reg;
    const SL = 3; // regtest signerLimit
    const leader = makeKey('mbx-sim-leader');
    const boxes = [0, 1, 2, 3, 4].map((i) => makeKey('mbx-sim-box-' + i));
    const wallets = boxes.map((_, i) => makeKey('mbx-sim-wallet-' + i));
    const clients = [0, 1, 2, 3].map((i) => makeKey('mbx-sim-client-' + i));
    const log = []; // one entry per simulated block
    const offline = new Set();

    const epochOf = (h) => Math.floor(h / Number(REGTEST.epochLength));

    before(async () => {
        chain = await Chain.create();
        for (const k of [leader, ...boxes, ...wallets, ...clients]) await chain.fund(k.address, 100_000n * ETHER);
        chain.setBlock(1);
        tribe = await deployTribe(chain, leader, { signerLimit: SL });
        reg = await deployRegistry(chain, leader.address);
        for (let i = 0; i < boxes.length; i++) await stake(tribe.poc, boxes[i], wallets[i], tribe.minDeposit);
        await reg.call(leader.address, 'addAddress', [boxes.map((b) => b.address), 1]);
        for (const c of clients) await reg.call(c.address, 'register', [], REGTEST.clientDeposit);
        // clients serve boxes 0..3 in ratio 1:2:3:4 in epochs 0 and 1; box 4 serves nobody
        for (const [block, epoch] of [[50, 0], [101, 1]]) {
            chain.setBlock(block);
            for (let i = 0; i < 4; i++) {
                const r = await report(reg, boxes[i].address, boxes[i].address, epoch,
                                       [receipt(clients[i], boxes[i].address, epoch, (i + 1) * 100_000_000)]);
                assert.equal(r.ok, true, r.reason);
            }
        }
    });

    // The volunteer of block h by doc §5: candidates and weights at the parent state, the
    // block's VRF output (a stand-in here: the node uses header.extra[0:32]).
    async function volunteerOf(h) {
        const e = epochOf(h);
        let list, totals;
        if (e < 2) {
            list = await reg.call(leader.address, 'getMeshboxList');
            totals = list.map(() => 0n);
        } else {
            [list, totals] = await reg.call(leader.address, 'getEpochTotals', [e - 2]);
        }
        const normal = await tribe.poc.call(leader.address, 'getNormalList');
        const cand = candidates(list, totals, normal);
        assert.ok(cand.boxes.length > 0);
        const w = weights(cand.totals);
        const d = draw(w, keccakHex('meshbox-sim-vrf:' + h), BigInt(h));
        return { volunteer: cand.boxes[d.index], cand: cand.boxes, w };
    }

    // Produces blocks from..to-1: the holder of slot h % SL signs when online, else the leader
    // in slot 0 stands in (Tribe 1.0.0); each block names the drawn volunteer.
    async function produce(from, to) {
        for (let h = from; h < to; h++) {
            const S = (await tribe.chief.call(leader.address, 'getStatus'))[0];
            const holder = S[h % SL];
            const producer = holder !== ZERO && !offline.has(holder) ? holder : S[0];
            const { volunteer, cand, w } = await volunteerOf(h);
            chain.setBlock(h);
            const key = [leader, ...boxes].find((k) => k.address === producer);
            const r = await tribe.chief.send(key.address, 'update', [volunteer]);
            assert.equal(r.ok, true, `block ${h} by ${key.label}: ${r.reason}`);
            log.push({ h, S, holder, producer, volunteer, cand, w, stops: tribe.poc.events(r, 'Stop') });
        }
    }

    const draws = (pred) => log.filter((b) => b.h % SL !== 0 && pred(b));
    const countBy = (entries, field, addrs) => addrs.map((a) => entries.filter((b) => b[field] === a).length);

    it('epochs 0-1 (no closed epoch): every box has weight 1, the zero contributor included, and all produce', async () => {
        await produce(102, 200);
        const phase = draws((b) => b.h < 200);
        assert.ok(phase.every((b) => b.w.every((x) => x === 1n) && b.cand.length === 5));
        const addrs = boxes.map((b) => b.address);
        const produced = countBy(log.filter((b) => b.h % SL !== 0 && b.producer !== leader.address), 'producer', addrs);
        assert.ok(produced.every((c) => c > 0), `blocks produced per box: ${produced}`);
        const counts = countBy(phase, 'volunteer', addrs);
        assert.ok(chiSquare(counts, [1, 1, 1, 1, 1]) < CHI2_1PCT[4], `draws ${counts}`);
    });

    it('epochs 2-3: weights 101, 201, 301, 401 and 1; over >= 40 rounds the shares pass chi-square at 1 %', async () => {
        await produce(200, 340);
        const phase = draws((b) => b.h >= 200);
        assert.ok(phase.length >= 40 * (SL - 1), `${phase.length} volunteer slots`);
        for (const b of phase) assert.deepEqual(b.w, [101n, 201n, 301n, 401n, 1n]);
        const addrs = boxes.slice(0, 4).map((b) => b.address);
        const counts = countBy(phase.filter((b) => b.volunteer !== boxes[4].address), 'volunteer', addrs);
        assert.ok(chiSquare(counts, [101, 201, 301, 401]) < CHI2_1PCT[3], `draws ${counts}`);
        assert.ok(chiSquare(counts, [1, 1, 1, 1]) > CHI2_1PCT[3], `draws ${counts} look uniform`);
    });

    it('the box drawn in block h holds slot h % sl of the next round and produces block h + sl', async () => {
        const byHeight = new Map(log.map((b) => [b.h, b]));
        let checked = 0;
        for (const b of log) {
            const drawnAt = byHeight.get(b.h - SL);
            if (b.h % SL === 0 || !drawnAt) continue;
            assert.equal(b.holder, drawnAt.volunteer, `slot of block ${b.h}`);
            assert.equal(b.producer, drawnAt.volunteer, `producer of block ${b.h}`);
            checked++;
        }
        assert.ok(checked >= 150, `${checked} blocks checked`);
        // with replacement one box sometimes holds two slots of a round and signs both
        const doubles = log.filter((b) => b.h % SL === 0 && b.S[1] === b.S[2] && b.S[1] !== ZERO);
        assert.ok(doubles.length > 0, 'no round with a box in two slots');
        for (const d of doubles) {
            assert.equal(log.find((b) => b.h === d.h + 1).producer, d.S[1]);
            assert.equal(log.find((b) => b.h === d.h + 2).producer, d.S[2]);
        }
        // slot 0 stays the leader's
        assert.ok(log.filter((b) => b.h % SL === 0).every((b) => b.producer === leader.address));
    });

    it('a box that misses its slot is replaced by the leader, stopped, and no longer drawn', async () => {
        const gone = boxes[3].address;
        offline.add(gone);
        const start = log.length;
        await produce(340, 400);
        const after = log.slice(start);
        const missed = after.find((b) => b.holder === gone);
        assert.ok(missed, 'box 3 never held a slot while offline');
        assert.equal(missed.producer, leader.address);
        assert.deepEqual(missed.stops, [[gone]]);
        assert.ok(!(await tribe.poc.call(leader.address, 'getNormalList')).includes(gone));
        const later = after.filter((b) => b.h > missed.h);
        assert.ok(later.length > 0 && later.every((b) => b.volunteer !== gone && !b.cand.includes(gone)));
        // the weights are recomputed over the remaining boxes: contributions 1 : 2 : 3 and 0
        for (const b of later) assert.deepEqual(b.w, [167n, 334n, 501n, 1n]);
        // and the slots it still held are filled by the leader, as in Tribe 1.0.0
        assert.ok(after.filter((b) => b.holder === gone).every((b) => b.producer === leader.address));
    });
});
