// web3.test.mjs: web3.js v4, unmodified, against a fresh regtest spectrumd: compile an ERC20
// with solc from npm, deploy it, transfer with a key in web3's wallet (eth_sendRawTransaction)
// and with the node's unlocked account (eth_sendTransaction), read balances, read Transfer
// events through eth_getLogs and through a filter, estimate gas, decode a revert reason and a
// custom error, wait for receipts, send a batch, subscribe over WebSocket.
//
// Why it is shaped this way: each step is what a dapp does with web3.js, with one setting that
// doc/rpc.md ("Using ethers, web3 and hardhat") explains: web3 v4 builds EIP-1559 (type 2)
// transactions by default and stops with Eip1559NotSupportedError on a chain whose blocks have
// no baseFeePerGas, so the tests set defaultTransactionType "0x0" (legacy, priced by
// eth_gasPrice). Receipts are polled every 100 ms instead of every second. The steps share one chain and run in order; a failing step
// prints the JSON-RPC exchanges that led to it.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Web3, HttpProvider, WebSocketProvider } from 'web3';
import { Node, CHAIN_ID } from './lib/node.mjs';
import { compile } from './lib/compile.mjs';
import { DEV_KEYS, DEV_ADDRESSES, ETHER, Recorder, step, waitFor, within } from './lib/common.mjs';

const SUPPLY = 500_000n * ETHER;
const ZERO = '0x0000000000000000000000000000000000000000';
const lower = (a) => a.toLowerCase();

// web3 for a Spectrum node: legacy transactions, fast polling.
function configure(web3) {
    web3.defaultTransactionType = '0x0';
    web3.transactionPollingInterval = 100;
    web3.transactionReceiptPollingInterval = 100;
    return web3;
}

describe('web3.js v4 against spectrumd', () => {
    const rec = new Recorder();
    let node, web3, art, token, address, deployBlock, gasPrice, a0;
    const deployed = () => (token && deployBlock !== undefined ? null : 'the token was not deployed (an earlier step failed)');

    before(async () => {
        node = await Node.start();
        web3 = configure(new Web3(rec.watchWeb3(new HttpProvider(node.url))));
        a0 = web3.eth.accounts.wallet.add(DEV_KEYS[0])[0].address; // local key: sendRawTransaction
        art = compile('InteropToken');
    });

    after(async () => {
        await node?.stop();
    });

    step(rec, 'reads the chain: chain id, network id, gas price, accounts, balances', async () => {
        assert.equal(await web3.eth.getChainId(), CHAIN_ID);
        assert.equal(await web3.eth.net.getId(), CHAIN_ID); // regtest's network id is its chain id
        gasPrice = await web3.eth.getGasPrice();
        assert.ok(gasPrice > 0n);
        const accounts = (await web3.eth.getAccounts()).map(lower);
        for (const a of DEV_ADDRESSES) assert.ok(accounts.includes(lower(a)), `eth_accounts lacks ${a}`);
        assert.equal(await web3.eth.getBalance(DEV_ADDRESSES[9]), 10n ** 24n);
        const head = await web3.eth.getBlock('latest');
        assert.equal(head.baseFeePerGas, undefined, 'a Spectrum block has no baseFeePerGas');
        assert.equal(a0, DEV_ADDRESSES[0]);
    });

    step(rec, "deploys with a key in web3's wallet (legacy raw transaction) and gets the receipt", async () => {
        const factory = new web3.eth.Contract(art.abi);
        let receipt;
        token = await factory.deploy({ data: art.bytecode, arguments: ['Web3 Token', 'W3T', SUPPLY] })
            .send({ from: a0 })
            .on('receipt', (r) => { receipt = r; });
        address = token.options.address;
        assert.ok(web3.utils.isAddress(address));
        assert.equal(receipt.status, 1n);
        assert.equal(lower(receipt.contractAddress), lower(address));
        deployBlock = receipt.blockNumber;
        assert.equal(await web3.eth.getCode(address), art.deployedBytecode);
        const tx = await web3.eth.getTransaction(receipt.transactionHash);
        assert.equal(tx.type ?? 0n, 0n, 'legacy'); // a node without typed transactions may omit type
        assert.equal(tx.gasPrice, gasPrice);
        assert.equal(lower(tx.from), lower(a0));
    });

    // geth estimates the gas of an eth_sendTransaction that names none; web3 relies on it (it
    // fills in no gas for the node's own accounts), and 90000 is too little for a deployment.
    step(rec, "deploys from the node's unlocked account without a gas limit (the node estimates it)", { requires: deployed }, async () => {
        const other = await new web3.eth.Contract(art.abi)
            .deploy({ data: art.bytecode, arguments: ['Unlocked Token', 'ULK', 1000n] })
            .send({ from: DEV_ADDRESSES[2] });
        assert.equal(await other.methods.balanceOf(DEV_ADDRESSES[2]).call(), 1000n);
        assert.equal(await web3.eth.getCode(other.options.address), art.deployedBytecode);
    });

    step(rec, 'reads the token through eth_call', { requires: deployed }, async () => {
        assert.equal(await token.methods.name().call(), 'Web3 Token');
        assert.equal(await token.methods.symbol().call(), 'W3T');
        assert.equal(await token.methods.decimals().call(), 18n);
        assert.equal(await token.methods.totalSupply().call(), SUPPLY);
        assert.equal(await token.methods.balanceOf(a0).call(), SUPPLY);
        // At the block before the deployment there was no contract: the call returns nothing.
        assert.equal(await web3.eth.getCode(address, deployBlock - 1n), '0x');
    });

    step(rec, 'transfers with the wallet key and waits for the receipt; the event is decoded', { requires: deployed }, async () => {
        const receipt = await token.methods.transfer(DEV_ADDRESSES[1], 1000n).send({ from: a0 });
        assert.equal(receipt.status, 1n);
        const ev = receipt.events.Transfer;
        assert.equal(lower(ev.returnValues.from), lower(a0));
        assert.equal(lower(ev.returnValues.to), lower(DEV_ADDRESSES[1]));
        assert.equal(ev.returnValues.value, 1000n);
        assert.equal(await token.methods.balanceOf(DEV_ADDRESSES[1]).call(), 1000n);
        assert.equal((await web3.eth.getTransaction(receipt.transactionHash)).type ?? 0n, 0n);
    });

    step(rec, "transfers with the node's unlocked account (eth_sendTransaction)", { requires: deployed }, async () => {
        const receipt = await token.methods.transfer(DEV_ADDRESSES[2], 250n).send({ from: DEV_ADDRESSES[1] });
        assert.equal(receipt.status, 1n);
        assert.equal(lower(receipt.from), lower(DEV_ADDRESSES[1]));
        assert.equal(await token.methods.balanceOf(DEV_ADDRESSES[2]).call(), 250n);
        assert.equal(await token.methods.balanceOf(DEV_ADDRESSES[1]).call(), 750n);
        const tx = await web3.eth.getTransaction(receipt.transactionHash);
        assert.equal(tx.type ?? 0n, 0n);
        assert.equal(tx.gasPrice, gasPrice);
        // Plain SMT from the unlocked account.
        const before = await web3.eth.getBalance(DEV_ADDRESSES[8]);
        const pay = await web3.eth.sendTransaction({ from: DEV_ADDRESSES[1], to: DEV_ADDRESSES[8], value: 2n * ETHER });
        assert.equal(pay.status, 1n);
        assert.equal(pay.gasUsed, 21000n);
        assert.equal(await web3.eth.getBalance(DEV_ADDRESSES[8]), before + 2n * ETHER);
    });

    step(rec, 'estimates gas: enough for the transfer, 21000 for plain SMT', { requires: deployed }, async () => {
        const est = await token.methods.transfer(DEV_ADDRESSES[3], 5n).estimateGas({ from: a0 });
        assert.ok(est > 21000n && est < 200000n, `estimate ${est}`);
        const receipt = await token.methods.transfer(DEV_ADDRESSES[3], 5n).send({ from: a0, gas: est });
        assert.equal(receipt.status, 1n);
        assert.ok(receipt.gasUsed <= est);
        assert.equal(await web3.eth.estimateGas({ from: a0, to: DEV_ADDRESSES[7], value: 1n }), 21000n);
    });

    step(rec, 'decodes a revert reason (Error(string)) from eth_call and eth_estimateGas', { requires: deployed }, async () => {
        const check = (e) => {
            assert.equal(e.name, 'ContractExecutionError', e.message);
            assert.equal(e.cause.message, 'execution reverted: InteropToken: transfer to the zero address');
            assert.equal(e.cause.errorName, 'Error');
            assert.equal(e.cause.errorArgs.message, 'InteropToken: transfer to the zero address');
            return true;
        };
        await assert.rejects(token.methods.transfer(ZERO, 1n).call({ from: a0 }), check);
        // web3 decodes errors of call() only; estimateGas() keeps geth's message and the data.
        await assert.rejects(token.methods.transfer(ZERO, 1n).estimateGas({ from: a0 }), (e) => {
            assert.equal(e.name, 'ContractExecutionError', e.message);
            assert.equal(e.cause.code, 3);
            assert.equal(e.cause.message, 'execution reverted: InteropToken: transfer to the zero address');
            assert.ok(e.cause.data?.startsWith('0x08c379a0'), `revert data ${e.cause.data}`);
            return true;
        });
        await assert.rejects(token.methods.mint(DEV_ADDRESSES[4], 1n).call({ from: DEV_ADDRESSES[4] }), (e) => {
            assert.equal(e.cause.errorArgs?.message, 'InteropToken: caller is not the owner', e.message);
            return true;
        });
    });

    step(rec, 'decodes a custom error from eth_call (and finds its data in eth_estimateGas errors)', { requires: deployed }, async () => {
        await assert.rejects(token.methods.transfer(a0, 9n).call({ from: DEV_ADDRESSES[5] }), (e) => {
            assert.equal(e.name, 'ContractExecutionError', e.message);
            assert.equal(e.cause.errorName, 'InsufficientBalance', `not decoded: ${JSON.stringify(e.cause?.data)}`);
            assert.equal(e.cause.errorSignature, 'InsufficientBalance(address,uint256,uint256)');
            assert.equal(lower(e.cause.errorArgs.holder), lower(DEV_ADDRESSES[5]));
            assert.equal(e.cause.errorArgs.available, 0n);
            assert.equal(e.cause.errorArgs.required, 9n);
            return true;
        });
        // web3 decodes errors of call() only; estimateGas() leaves the revert data (code 3) to us.
        await assert.rejects(token.methods.transfer(a0, 9n).estimateGas({ from: DEV_ADDRESSES[5] }), (e) => {
            assert.equal(e.name, 'ContractExecutionError', e.message);
            assert.equal(e.cause.code, 3);
            const selector = web3.eth.abi.encodeFunctionSignature('InsufficientBalance(address,uint256,uint256)');
            assert.ok(e.cause.data?.startsWith(selector), `revert data ${e.cause.data}`);
            const args = web3.eth.abi.decodeParameters(['address', 'uint256', 'uint256'], '0x' + e.cause.data.slice(10));
            assert.deepEqual([lower(args[0]), args[1], args[2]], [lower(DEV_ADDRESSES[5]), 0n, 9n]);
            return true;
        });
    });

    step(rec, 'a transaction that reverts on chain: status-0 receipt, reason found by handleRevert', { requires: deployed }, async () => {
        const poor = web3.eth.accounts.wallet.add(DEV_KEYS[5])[1].address; // holds SMT, no tokens
        // With an explicit gas limit web3 sends without estimating; the transaction is mined
        // and fails. handleRevert makes web3 replay it with eth_call to learn why.
        token.handleRevert = true;
        const consoleError = console.error; // web3 logs "No matching error abi found ..." here
        console.error = () => {};
        try {
            await assert.rejects(token.methods.transfer(a0, 9n).send({ from: poor, gas: 100000 }), (e) => {
                // web3 4.16 does not match the error against the contract's ABI here (it logs
                // "No matching error abi found"), but it carries the replay's revert data.
                assert.ok(['TransactionRevertInstructionError', 'TransactionRevertWithCustomError'].includes(e.name), e.message);
                assert.equal(e.signature, web3.eth.abi.encodeFunctionSignature('InsufficientBalance(address,uint256,uint256)'));
                const args = web3.eth.abi.decodeParameters(['address', 'uint256', 'uint256'], '0x' + e.data);
                assert.deepEqual([lower(args[0]), args[1], args[2]], [lower(poor), 0n, 9n]);
                assert.equal(e.receipt.status, 0n);
                assert.equal(e.receipt.logs.length, 0);
                return true;
            });
        } finally {
            token.handleRevert = false;
            console.error = consoleError;
        }
        assert.equal(await token.methods.balanceOf(poor).call(), 0n);
    });

    step(rec, 'reads Transfer events through eth_getLogs (getPastEvents, getPastLogs)', { requires: deployed }, async () => {
        const all = await token.getPastEvents('Transfer', { fromBlock: deployBlock, toBlock: 'latest' });
        assert.deepEqual(all.map((e) => e.returnValues.value), [SUPPLY, 1000n, 250n, 5n]);
        const fromA0 = await token.getPastEvents('Transfer', { filter: { from: a0 }, fromBlock: 0 });
        assert.deepEqual(fromA0.map((e) => lower(e.returnValues.to)), [DEV_ADDRESSES[1], DEV_ADDRESSES[3]].map(lower));
        const topic = web3.eth.abi.encodeEventSignature('Transfer(address,address,uint256)');
        const raw = await web3.eth.getPastLogs({ address, fromBlock: 0, toBlock: 'latest', topics: [topic, null, web3.eth.abi.encodeParameter('address', DEV_ADDRESSES[2])] });
        assert.equal(raw.length, 1);
        assert.equal(web3.eth.abi.decodeParameter('uint256', raw[0].data), 250n);
    });

    step(rec, 'gets new Transfer events through a filter (eth_newFilter, eth_getFilterChanges)', { requires: deployed }, async () => {
        const topic = web3.eth.abi.encodeEventSignature('Transfer(address,address,uint256)');
        // web3 turns filter ids into numbers and sends them back through numberToHex, so an id
        // must be a quantity (no leading zero digit), as geth makes them. Ids are random: many
        // of them make a bad one likely to show.
        const ids = [];
        for (let i = 0; i < 8; i++) ids.push(await web3.eth.createNewFilter({ address, topics: [topic] }));
        for (let i = 0; i < 32; i++) {
            const id = await node.rpc('eth_newBlockFilter', []);
            assert.match(id, /^0x(0|[1-9a-f][0-9a-f]*)$/, `filter id ${id} is not a quantity`);
            assert.equal(await node.rpc('eth_uninstallFilter', [id]), true);
        }
        const receipt = await token.methods.transfer(DEV_ADDRESSES[6], 60n).send({ from: a0 });
        for (const id of ids) {
            const changes = await web3.eth.getFilterChanges(id);
            assert.equal(changes.length, 1, `filter ${id}`);
            assert.equal(changes[0].transactionHash, receipt.transactionHash);
        }
        const blockFilter = await web3.eth.createNewBlockFilter();
        const r2 = await token.methods.transfer(DEV_ADDRESSES[6], 61n).send({ from: a0 });
        assert.deepEqual(await web3.eth.getFilterChanges(blockFilter), [r2.blockHash]);
        for (const id of [...ids, blockFilter]) assert.equal(await web3.eth.uninstallFilter(id), true);
    });

    step(rec, 'sends a JSON-RPC batch (BatchRequest)', { requires: deployed }, async () => {
        const batch = new web3.BatchRequest();
        const call = (method, params) => batch.add({ jsonrpc: '2.0', id: web3.utils.randomHex(4), method, params });
        const data = token.methods.balanceOf(DEV_ADDRESSES[1]).encodeABI();
        const parts = [
            call('eth_getBalance', [DEV_ADDRESSES[8], 'latest']),
            call('eth_blockNumber', []),
            call('eth_call', [{ to: address, data }, 'latest']),
            call('eth_getTransactionCount', [a0, 'latest']),
            call('eth_no_such_method', []),
        ];
        const replies = await batch.execute();
        assert.equal(replies.length, 5);
        const settled = await Promise.allSettled(parts);
        assert.equal(BigInt(settled[0].value), 10n ** 24n + 2n * ETHER);
        assert.equal(BigInt(settled[1].value), await web3.eth.getBlockNumber());
        assert.equal(BigInt(settled[2].value), 750n);
        assert.equal(BigInt(settled[3].value), await web3.eth.getTransactionCount(a0));
        assert.equal(settled[4].status, 'rejected');
        const err = replies.find((r) => r.error);
        assert.equal(err.error.code, -32601);
    });

    step(rec, 'subscribes to newHeads and logs over WebSocket', { requires: deployed }, async () => {
        const wsProvider = rec.watchWeb3(new WebSocketProvider(node.wsUrl));
        const ws = configure(new Web3(wsProvider));
        try {
            const heads = [];
            const transfers = [];
            const headSub = await ws.eth.subscribe('newHeads');
            headSub.on('data', (h) => heads.push(h));
            const wsToken = new ws.eth.Contract(art.abi, address);
            const logSub = wsToken.events.Transfer({ filter: { to: DEV_ADDRESSES[7] } });
            logSub.on('data', (e) => transfers.push(e));
            await waitFor('the logs subscription', () => logSub.id);
            const receipt = await token.methods.transfer(DEV_ADDRESSES[7], 70n).send({ from: a0 });
            await waitFor('the newHeads notification', () => heads.find((h) => h.hash === receipt.blockHash));
            const head = heads.find((h) => h.hash === receipt.blockHash);
            assert.equal(head.number, receipt.blockNumber);
            await waitFor('the Transfer notification', () => transfers.length > 0);
            assert.equal(transfers.length, 1);
            assert.equal(transfers[0].returnValues.value, 70n);
            assert.equal(transfers[0].transactionHash, receipt.transactionHash);
            assert.equal(await ws.eth.getBlockNumber(), receipt.blockNumber);
            await headSub.unsubscribe();
            await logSub.unsubscribe();
        } finally {
            await within(10_000, 'WebSocket close', Promise.resolve(wsProvider.disconnect()));
        }
    });
});
