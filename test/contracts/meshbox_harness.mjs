// meshbox_harness.mjs: what meshbox.test.mjs needs on top of harness.mjs: a deployed
// MeshBoxRegistry with the regtest parameters, event decoding with indexed fields, a report()
// call built from receipts signed in JavaScript (meshbox_rules.mjs), and the Tribe system
// contracts (ChiefBase, POC, TribeChief) with staked boxes for the production simulation.
//
// Why it is shaped this way: every receipt the tests send is signed here from its fields,
// so a contract that hashed one field differently, or accepted a signature it should not,
// fails; the helpers only move data between the rules module and the EVM.
import { keccakHex, hexToBytes, abiDecode, signatureOf, signAddress, ETHER } from './harness.mjs';
import { signReceipt } from './meshbox_rules.mjs';

// Regtest parameters (doc/meshbox.md §3).
export const REGTEST = {
    chainId: 1397769539n,
    epochLength: 100n,
    clientDeposit: 100n * ETHER,
    unitCap: 10n ** 9n,
};

export async function deployRegistry(chain, owner, params = REGTEST) {
    return chain.deploy('MeshBoxRegistry', owner,
                        [params.chainId, params.epochLength, params.clientDeposit, params.unitCap]);
}

// The logs of res that `contract` emitted as event `name`, decoded into objects keyed by the
// ABI input names (indexed static fields come from the topics).
export function eventsOf(contract, res, name) {
    const ev = contract.artifact.abi.find((e) => e.type === 'event' && e.name === name);
    if (!ev) throw new Error(`${contract.artifact.contractName}: no event ${name}`);
    const topic0 = keccakHex(signatureOf(ev));
    const plain = ev.inputs.filter((i) => !i.indexed);
    return res.logs
        .filter((l) => l.address === contract.address.toLowerCase() && l.topics[0] === topic0)
        .map((l) => {
            const data = abiDecode(plain.map((i) => i.type), l.data);
            const out = {};
            let t = 1;
            let d = 0;
            for (const input of ev.inputs) {
                out[input.name] = input.indexed ? abiDecode([input.type], hexToBytes(l.topics[t++]))[0] : data[d++];
            }
            return out;
        });
}

// A receipt {client, units, r, s, v} for the registry's chain: `signer` (default: the
// client's own key) signs (chainId, provider, client.address, epoch, units). `fields`
// overrides what is signed, to forge one field.
export function receipt(clientKey, provider, epoch, units, { signer = clientKey, fields = {}, chainId = REGTEST.chainId } = {}) {
    const signed = { chainId, provider, client: clientKey.address, epoch, units, ...fields };
    return { client: clientKey.address, units: BigInt(units), ...signReceipt(signer, signed) };
}

// Sends report(provider, epoch, ...) from `from` for the receipts.
export function report(registry, from, provider, epoch, receipts) {
    return registry.send(from, 'report', [
        provider, epoch,
        receipts.map((x) => x.client), receipts.map((x) => x.units),
        receipts.map((x) => x.r), receipts.map((x) => x.s), receipts.map((x) => x.v),
    ]);
}

// ChiefBase(epoch, signerLimit), POC(base, minDeposit, 5, halve) and TribeChief(base, poc, 0)
// deployed by `leader` (the first leader), as in the regtest genesis.
export async function deployTribe(chain, leader, { epoch = 100, signerLimit = 3, minDeposit = 1000n * ETHER } = {}) {
    const base = await chain.deploy('ChiefBase', leader.address, [epoch, signerLimit]);
    const poc = await chain.deploy('POC', leader.address, [base.address, minDeposit, 5, 1_000_000]);
    const chief = await chain.deploy('TribeChief', leader.address, [base.address, poc.address, 0]);
    return { base, poc, chief, minDeposit };
}

// Stakes node key `node` in POC from `wallet` (POC.deposit with the node's signature).
export async function stake(poc, node, wallet, amount) {
    const sig = signAddress(node, wallet.address);
    const r = await poc.send(wallet.address, 'deposit', [sig.r, sig.s, sig.v], amount);
    if (!r.ok) throw new Error(`stake ${node.label}: ${r.reason}`);
}
