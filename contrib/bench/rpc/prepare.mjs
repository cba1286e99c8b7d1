// prepare.mjs — the transactions and request bodies of the JSON-RPC benchmark (run.sh), and
// the set-up of a node before it is measured.
//
// Why it is shaped this way: the three nodes must serve exactly the same requests, so every
// transaction is signed once, before any node starts, for the regtest chain id (hardhat and
// ganache are started with that chain id too), and replayed on each node in the same order.
// The deployer is regtest dev account 0 with nonce 0 on every node, so the token lands at the
// same address everywhere and the eth_call body is the same. Workload senders are accounts of
// their own (not the dev accounts: 64 connections need 64 senders, and the 1-client run one
// more), funded by dev account 0 during set-up. Signing is done with ethers' low-level
// Transaction and SigningKey (no provider, no population), which is all the speed we need.
//
//   node prepare.mjs sign  DIR SINGLE SENDERS PER_SENDER
//       writes DIR/setup.jsonl (deploy + fundings), DIR/tx1-0.txt (SINGLE bodies from the
//       1-client sender), DIR/tx64-<i>.txt (PER_SENDER bodies from each of SENDERS senders),
//       DIR/body-*.json (the read workloads) and DIR/meta.json
//   node prepare.mjs setup URL DIR
//       sends setup.jsonl in order, requires every receipt to succeed, then checks the token's
//       code and the eth_call answer; prints one line with the head block number
//   node prepare.mjs check URL DIR WORKLOAD
//       sends the workload's body once and exits 1 unless the answer is a result
//   node prepare.mjs mined URL DIR single|many
//       prints how many transactions of the 1-client sender (single) or of the 64-client
//       senders (many) the node has mined: the sum of their "latest" nonces
//
// The keys used here are PUBLIC test keys (doc/regtest.md and the formula below).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    AbiCoder, SigningKey, Transaction, computeAddress, getCreateAddress, keccak256, toUtf8Bytes,
} from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');

export const CHAIN_ID = 1397769539n;                 // regtest (doc/regtest.md)
const DEV0_KEY = keccak256(toUtf8Bytes('spectrumd regtest dev account 0'));
const DEV0 = computeAddress(DEV0_KEY);
if (DEV0 !== '0x0311aeB8DE32B9385E7cf31AB5C7225894c46645') {
    throw new Error(`dev account 0 derives to ${DEV0}, not the address of doc/regtest.md`);
}
const GWEI = 10n ** 9n;
const GAS_PRICE = 18n * GWEI;                        // spectrumd's eth_gasPrice on regtest
const SUPPLY = 10n ** 27n;                           // constructor argument of the token
const SENDER_FUNDS = 100n * 10n ** 18n;              // per workload sender
const RECIPIENT = '0x000000000000000000000000000000000000bEEF';

// Workload sender i: keccak256("spectrumd rpc bench sender " ‖ decimal(i)). Public keys.
function senderKey(i) {
    return keccak256(toUtf8Bytes(`spectrumd rpc bench sender ${i}`));
}

function signLegacy(key, fields) {
    const tx = Transaction.from({ type: 0, chainId: CHAIN_ID, gasPrice: GAS_PRICE, ...fields });
    tx.signature = key.sign(tx.unsignedHash);
    return tx.serialized;
}

function rpcBody(method, params, id = 1) {
    return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

function balanceOfData(holder) {
    return '0x70a08231' + AbiCoder.defaultAbiCoder().encode(['address'], [holder]).slice(2);
}

function sign(dir, single, senders, perSender) {
    fs.mkdirSync(dir, { recursive: true });
    const art = JSON.parse(fs.readFileSync(path.join(repo, 'share', 'contracts', 'ProxyToken.json'), 'utf8'));
    const dev0 = new SigningKey(DEV0_KEY);
    const token = getCreateAddress({ from: DEV0, nonce: 0 });

    // Set-up: deploy (nonce 0), then fund senders 0 .. senders-1 and the 1-client sender.
    const setup = [];
    const ctor = AbiCoder.defaultAbiCoder().encode(['uint256'], [SUPPLY]).slice(2);
    setup.push({ what: 'deploy ProxyToken', raw: signLegacy(dev0, {
        nonce: 0, gasLimit: 3_000_000n, data: art.bytecode + ctor, value: 0n }) });
    const singleIndex = senders;                     // the 1-client run's own sender
    for (let i = 0; i <= senders; i++) {
        setup.push({ what: `fund sender ${i}`, raw: signLegacy(dev0, {
            nonce: 1 + i, gasLimit: 21_000n, to: computeAddress(senderKey(i)), value: SENDER_FUNDS }) });
    }
    fs.writeFileSync(path.join(dir, 'setup.jsonl'), setup.map((s) => JSON.stringify(s)).join('\n') + '\n');

    const writeTxs = (file, index, count) => {
        const key = new SigningKey(senderKey(index));
        const lines = new Array(count);
        for (let n = 0; n < count; n++) {
            const raw = signLegacy(key, { nonce: n, gasLimit: 21_000n, to: RECIPIENT, value: 1n });
            lines[n] = rpcBody('eth_sendRawTransaction', [raw], n + 1);
        }
        fs.writeFileSync(path.join(dir, file), lines.join('\n') + '\n');
    };
    writeTxs('tx1-0.txt', singleIndex, single);
    for (let i = 0; i < senders; i++) writeTxs(`tx64-${i}.txt`, i, perSender);

    const bodies = {
        blockNumber: rpcBody('eth_blockNumber', []),
        getBalance: rpcBody('eth_getBalance', [DEV0, 'latest']),
        call: rpcBody('eth_call', [{ to: token, data: balanceOfData(DEV0) }, 'latest']),
    };
    for (const [name, body] of Object.entries(bodies)) {
        fs.writeFileSync(path.join(dir, `body-${name}.json`), body);
    }
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({
        chainId: CHAIN_ID.toString(), token, holder: DEV0, supply: SUPPLY.toString(),
        recipient: RECIPIENT, gasPrice: GAS_PRICE.toString(), single, senders, perSender,
    }, null, 2) + '\n');
}

async function rpc(url, body) {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    const reply = JSON.parse(text);
    if (reply.error) throw new Error(`${JSON.parse(body).method}: ${JSON.stringify(reply.error)}`);
    return reply.result;
}

async function receipt(url, hash) {
    // Automine answers once the block is in, on all three nodes; poll briefly all the same.
    for (let i = 0; i < 100; i++) {
        const r = await rpc(url, rpcBody('eth_getTransactionReceipt', [hash]));
        if (r) return r;
        await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error(`no receipt for ${hash}`);
}

async function setup(url, dir) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    const chainId = BigInt(await rpc(url, rpcBody('eth_chainId', [])));
    if (chainId !== CHAIN_ID) throw new Error(`${url} has chain id ${chainId}, want ${CHAIN_ID}`);
    const steps = fs.readFileSync(path.join(dir, 'setup.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const s of steps) {
        const hash = await rpc(url, rpcBody('eth_sendRawTransaction', [s.raw]));
        const r = await receipt(url, hash);
        if (BigInt(r.status) !== 1n) throw new Error(`${s.what}: receipt status ${r.status}`);
    }
    const code = await rpc(url, rpcBody('eth_getCode', [meta.token, 'latest']));
    if (code.length < 100) throw new Error(`no token code at ${meta.token}`);
    const bal = BigInt(await rpc(url, fs.readFileSync(path.join(dir, 'body-call.json'), 'utf8')));
    if (bal !== BigInt(meta.supply)) throw new Error(`balanceOf(holder) = ${bal}, want ${meta.supply}`);
    const head = BigInt(await rpc(url, rpcBody('eth_blockNumber', [])));
    console.log(`set up: token ${meta.token}, ${steps.length} transactions, head ${head}`);
}

// How many transactions of a workload's senders are in the chain: the sum of their "latest"
// nonces (the 1-client sender, or the 64-client senders).
async function mined(url, dir, which) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    const idx = which === 'single' ? [meta.senders] : Array.from({ length: meta.senders }, (_, i) => i);
    let total = 0n;
    for (const i of idx) {
        total += BigInt(await rpc(url, rpcBody('eth_getTransactionCount', [computeAddress(senderKey(i)), 'latest'])));
    }
    console.log(total.toString());
}

async function check(url, dir, workload) {
    const result = await rpc(url, fs.readFileSync(path.join(dir, `body-${workload}.json`), 'utf8'));
    if (result === undefined || result === null) throw new Error(`${workload}: empty result`);
}

const [cmd, ...args] = process.argv.slice(2);
try {
    if (cmd === 'sign' && args.length === 4) {
        const [dir, single, senders, perSender] = args;
        sign(dir, Number(single), Number(senders), Number(perSender));
    } else if (cmd === 'setup' && args.length === 2) {
        await setup(args[0], args[1]);
    } else if (cmd === 'mined' && args.length === 3 && ['single', 'many'].includes(args[2])) {
        await mined(args[0], args[1], args[2]);
    } else if (cmd === 'check' && args.length === 3) {
        await check(args[0], args[1], args[2]);
    } else {
        console.error('usage: prepare.mjs sign DIR SINGLE SENDERS PER_SENDER | setup URL DIR | ' +
                      'check URL DIR WORKLOAD | mined URL DIR single|many');
        process.exit(2);
    }
} catch (e) {
    console.error(`prepare.mjs ${cmd}: ${e.message}`);
    process.exit(1);
}
