// ethers.test.mjs: ethers v6, unmodified, against a fresh regtest spectrumd: compile an ERC20
// with solc from npm, deploy it, transfer with a local Wallet (eth_sendRawTransaction) and with
// the node's unlocked account (JsonRpcSigner, eth_sendTransaction), read balances, read
// Transfer events through eth_getLogs and through filters, estimate gas, decode a revert reason
// and a custom error, wait for receipts, send a batch, subscribe over WebSocket.
//
// Why it is shaped this way: each step is what a dapp does with ethers, with the library's
// defaults except a short polling interval (ethers polls every 4 s) and no response cache, so
// a failure means the node answered something ethers cannot use. The steps share one chain
// and run in order; a failing step prints the JSON-RPC exchanges that led to it.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ethers } from 'ethers';
import { Node, CHAIN_ID } from './lib/node.mjs';
import { compile, forbiddenOpcodes, stripMetadata, initCode } from './lib/compile.mjs';
import { DEV_KEYS, DEV_ADDRESSES, ETHER, Recorder, step, waitFor, within } from './lib/common.mjs';

const SUPPLY = 1_000_000n * ETHER;
const OPTS = { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 };

describe('ethers v6 against spectrumd', () => {
    const rec = new Recorder();
    let node, provider, art, token, wallet, gasPrice, deployBlock;
    const deployed = () => (token && deployBlock !== undefined ? null : 'the token was not deployed (an earlier step failed)');

    before(async () => {
        node = await Node.start();
        provider = rec.watchEthers(new ethers.JsonRpcProvider(node.url, Number(CHAIN_ID), OPTS));
        wallet = new ethers.Wallet(DEV_KEYS[0], provider);
        art = compile('InteropToken');
    });

    after(async () => {
        provider?.destroy();
        await node?.stop();
    });

    step(rec, 'detects the network: chain id, gas price, legacy fee data', async () => {
        const detecting = rec.watchEthers(new ethers.JsonRpcProvider(node.url, undefined, { pollingInterval: 100 }));
        try {
            assert.equal((await detecting.getNetwork()).chainId, CHAIN_ID);
        } finally {
            detecting.destroy();
        }
        assert.equal(BigInt(await provider.send('eth_chainId', [])), CHAIN_ID);
        assert.ok((await provider.getBlockNumber()) >= 0);
        const head = await provider.getBlock('latest');
        assert.equal(head.baseFeePerGas, null, 'a Spectrum block has no baseFeePerGas');
        const fee = await provider.getFeeData();
        gasPrice = BigInt(await provider.send('eth_gasPrice', []));
        assert.ok(gasPrice > 0n);
        assert.equal(fee.gasPrice, gasPrice);
        // No EIP-1559 fields: ethers therefore builds legacy (type 0) transactions by itself.
        assert.equal(fee.maxFeePerGas, null);
        assert.equal(fee.maxPriorityFeePerGas, null);
        const accounts = await provider.listAccounts();
        const have = accounts.map((s) => s.address);
        for (const a of DEV_ADDRESSES) assert.ok(have.includes(a), `eth_accounts lacks dev account ${a}`);
        assert.equal(await provider.getBalance(DEV_ADDRESSES[9]), 10n ** 24n);
    });

    step(rec, 'solc compiles the token for Byzantium: no opcode that SIP004 lacks', async () => {
        assert.deepEqual(forbiddenOpcodes(stripMetadata(art.deployedBytecode)), []);
        assert.deepEqual(forbiddenOpcodes(initCode(art)), []);
        // The check can fail: the same source for the compiler's newer default EVM uses PUSH0.
        const cancun = compile('InteropToken', 'cancun');
        assert.ok(forbiddenOpcodes(stripMetadata(cancun.deployedBytecode)).includes('PUSH0'));
    });

    step(rec, 'deploys with a Wallet (legacy EIP-155 raw transaction) and waits for the receipt', async () => {
        const factory = new ethers.ContractFactory(art.abi, art.bytecode, wallet);
        token = await factory.deploy('Interop Token', 'ITK', SUPPLY);
        const dtx = token.deploymentTransaction();
        assert.equal(dtx.type, 0);
        assert.equal(dtx.chainId, CHAIN_ID);
        assert.equal(dtx.gasPrice, gasPrice);
        const receipt = await within(30_000, 'deployment receipt', dtx.wait());
        assert.equal(receipt.status, 1);
        assert.equal(receipt.contractAddress, await token.getAddress());
        assert.equal(receipt.from, DEV_ADDRESSES[0]);
        deployBlock = receipt.blockNumber;
        await token.waitForDeployment();
        assert.equal(await provider.getCode(await token.getAddress()), art.deployedBytecode);
        const seen = await provider.getTransaction(dtx.hash);
        assert.equal(seen.type, 0);
        assert.equal(seen.from, DEV_ADDRESSES[0]);
        assert.equal(seen.blockNumber, deployBlock);
        assert.equal(seen.nonce, 0);
        // The constructor's mint shows in the receipt's logs.
        const minted = receipt.logs.map((l) => token.interface.parseLog(l));
        assert.equal(minted.length, 1);
        assert.equal(minted[0].name, 'Transfer');
        assert.deepEqual([...minted[0].args], [ethers.ZeroAddress, DEV_ADDRESSES[0], SUPPLY]);
    });

    step(rec, 'reads the token through eth_call', { requires: deployed }, async () => {
        assert.equal(await token.name(), 'Interop Token');
        assert.equal(await token.symbol(), 'ITK');
        assert.equal(await token.decimals(), 18n);
        assert.equal(await token.totalSupply(), SUPPLY);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[0]), SUPPLY);
        assert.equal(await token.owner(), DEV_ADDRESSES[0]);
        // At an older block the contract did not exist yet.
        assert.equal(await provider.getCode(await token.getAddress(), deployBlock - 1), '0x');
    });

    step(rec, 'transfers with the Wallet; balances and the Transfer log follow', { requires: deployed }, async () => {
        const tx = await token.transfer(DEV_ADDRESSES[1], 1000n);
        assert.equal(tx.type, 0);
        const receipt = await within(30_000, 'transfer receipt', tx.wait());
        assert.equal(receipt.status, 1);
        assert.equal(receipt.to, await token.getAddress());
        assert.ok(receipt.gasUsed > 21000n);
        const logs = receipt.logs.map((l) => token.interface.parseLog(l));
        assert.deepEqual(logs.map((l) => [l.name, ...l.args]), [['Transfer', DEV_ADDRESSES[0], DEV_ADDRESSES[1], 1000n]]);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[1]), 1000n);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[0]), SUPPLY - 1000n);
        // The sender paid gasUsed * gasPrice in SMT.
        const before = await provider.getBalance(DEV_ADDRESSES[0], receipt.blockNumber - 1);
        const after = await provider.getBalance(DEV_ADDRESSES[0], receipt.blockNumber);
        assert.equal(before - after, receipt.gasUsed * receipt.gasPrice);
    });

    step(rec, "transfers with the node's unlocked account (JsonRpcSigner, eth_sendTransaction)", { requires: deployed }, async () => {
        const signer = await provider.getSigner(DEV_ADDRESSES[1]);
        assert.equal(await signer.getAddress(), DEV_ADDRESSES[1]);
        const tx = await token.connect(signer).transfer(DEV_ADDRESSES[2], 400n);
        const receipt = await within(30_000, 'receipt', tx.wait());
        assert.equal(receipt.status, 1);
        assert.equal(receipt.from, DEV_ADDRESSES[1]);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[2]), 400n);
        assert.equal(await token.balanceOf(DEV_ADDRESSES[1]), 600n);
        const seen = await provider.getTransaction(tx.hash);
        assert.equal(seen.type, 0);
        assert.equal(seen.chainId, CHAIN_ID);
        // Plain SMT, with a value.
        const before = await provider.getBalance(DEV_ADDRESSES[8]);
        const pay = await signer.sendTransaction({ to: DEV_ADDRESSES[8], value: 3n * ETHER });
        assert.equal((await within(30_000, 'receipt', pay.wait())).status, 1);
        assert.equal(await provider.getBalance(DEV_ADDRESSES[8]), before + 3n * ETHER);
    });

    step(rec, 'estimates gas exactly: the estimate succeeds, one gas less runs out', { requires: deployed }, async () => {
        const estimate = await token.transfer.estimateGas(DEV_ADDRESSES[3], 10n);
        assert.ok(estimate > 21000n && estimate < 200000n, `estimate ${estimate}`);
        const exact = await token.transfer(DEV_ADDRESSES[3], 10n, { gasLimit: estimate });
        assert.equal((await within(30_000, 'receipt', exact.wait())).status, 1);
        // The same transfer again (the slot of DEV 3 is no longer fresh, so it costs less):
        // a new estimate, and one gas short of it fails on chain with a status-0 receipt.
        const again = await token.transfer.estimateGas(DEV_ADDRESSES[3], 10n);
        assert.ok(again < estimate, `a second transfer to the same holder costs less (${again} vs ${estimate})`);
        const short = await token.transfer(DEV_ADDRESSES[3], 10n, { gasLimit: again - 1n });
        await assert.rejects(within(30_000, 'receipt', short.wait()), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.receipt.status, 0);
            assert.equal(e.receipt.gasUsed, again - 1n, 'out of gas uses the whole limit');
            return true;
        });
        assert.equal(await token.balanceOf(DEV_ADDRESSES[3]), 10n);
        // A plain transfer is 21000.
        assert.equal(await provider.estimateGas({ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[7], value: 1n }), 21000n);
    });

    step(rec, 'decodes a revert reason (Error(string)) from eth_estimateGas and eth_call', { requires: deployed }, async () => {
        await assert.rejects(token.transfer(ethers.ZeroAddress, 1n), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.reason, 'InteropToken: transfer to the zero address');
            return true;
        });
        await assert.rejects(token.transfer.staticCall(ethers.ZeroAddress, 1n), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.reason, 'InteropToken: transfer to the zero address');
            assert.equal(e.revert.name, 'Error');
            return true;
        });
        const stranger = await provider.getSigner(DEV_ADDRESSES[4]);
        await assert.rejects(token.connect(stranger).mint(DEV_ADDRESSES[4], 1n), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.reason, 'InteropToken: caller is not the owner');
            return true;
        });
    });

    step(rec, 'decodes a custom error from eth_call and eth_estimateGas', { requires: deployed }, async () => {
        const poor = new ethers.Wallet(DEV_KEYS[5], provider); // holds SMT, no tokens
        const t5 = token.connect(poor);
        await assert.rejects(t5.transfer.staticCall(DEV_ADDRESSES[0], 7n), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.revert?.name, 'InsufficientBalance', `no decoded custom error: ${e.message}`);
            assert.deepEqual([...e.revert.args], [DEV_ADDRESSES[5], 0n, 7n]);
            return true;
        });
        await assert.rejects(t5.transfer(DEV_ADDRESSES[0], 7n), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            const err = token.interface.parseError(e.data);
            assert.equal(err?.name, 'InsufficientBalance', `revert data ${e.data}`);
            assert.deepEqual([...err.args], [DEV_ADDRESSES[5], 0n, 7n]);
            return true;
        });
    });

    step(rec, 'a transaction that reverts on chain gives a status-0 receipt and changes nothing', { requires: deployed }, async () => {
        const poor = new ethers.Wallet(DEV_KEYS[5], provider);
        const tx = await token.connect(poor).transfer(DEV_ADDRESSES[0], 7n, { gasLimit: 100000n });
        await assert.rejects(within(30_000, 'receipt', tx.wait()), (e) => {
            assert.equal(e.code, 'CALL_EXCEPTION');
            assert.equal(e.receipt.status, 0);
            assert.equal(e.receipt.logs.length, 0);
            assert.ok(e.receipt.gasUsed < 100000n, 'a revert refunds the gas it did not use');
            return true;
        });
        assert.equal(await token.balanceOf(DEV_ADDRESSES[5]), 0n);
    });

    step(rec, 'reads Transfer events through eth_getLogs (queryFilter, getLogs)', { requires: deployed }, async () => {
        const fromDev0 = await token.queryFilter(token.filters.Transfer(DEV_ADDRESSES[0]), deployBlock);
        // 1000 to DEV 1, then 10 to DEV 3 (the out-of-gas one left no log).
        assert.deepEqual(fromDev0.map((e) => [e.args.to, e.args.value]),
            [[DEV_ADDRESSES[1], 1000n], [DEV_ADDRESSES[3], 10n]]);
        const all = await token.queryFilter('Transfer', 0, 'latest');
        assert.equal(all.length, 4); // mint, 1000, 400, 10
        assert.equal(all[0].args.from, ethers.ZeroAddress);
        assert.ok(all.every((e, i) => i === 0 || e.blockNumber > all[i - 1].blockNumber));
        const toDev2 = await token.queryFilter(token.filters.Transfer(null, DEV_ADDRESSES[2]));
        assert.equal(toDev2.length, 1);
        assert.equal(toDev2[0].args.value, 400n);
        // By block hash, and by raw topics with an OR position.
        const byHash = await provider.getLogs({ blockHash: toDev2[0].blockHash });
        assert.equal(byHash.length, 1);
        assert.equal(byHash[0].transactionHash, toDev2[0].transactionHash);
        const topic = token.interface.getEvent('Transfer').topicHash;
        const pad = (a) => ethers.zeroPadValue(a, 32);
        const either = await provider.getLogs({
            address: await token.getAddress(), fromBlock: 0, toBlock: 'latest',
            topics: [topic, null, [pad(DEV_ADDRESSES[2]), pad(DEV_ADDRESSES[3])]],
        });
        assert.equal(either.length, 2);
        // Nothing before the deployment.
        assert.deepEqual(await provider.getLogs({ address: await token.getAddress(), fromBlock: 0, toBlock: deployBlock - 1 }), []);
    });

    step(rec, 'gets new Transfer events through a filter (contract.on: eth_newFilter, eth_getFilterChanges)', { requires: deployed }, async () => {
        const before = rec.answered('eth_newFilter');
        let resolve;
        const got = new Promise((r) => { resolve = r; });
        const listener = (...args) => resolve(args[args.length - 1]); // the ContractEventPayload
        await token.on(token.filters.Transfer(null, DEV_ADDRESSES[6]), listener);
        try {
            await waitFor('the filter to be installed', () => rec.answered('eth_newFilter') > before);
            const tx = await token.transfer(DEV_ADDRESSES[6], 66n);
            const receipt = await tx.wait();
            const ev = await within(20_000, 'the Transfer event through the filter', got);
            assert.deepEqual([...ev.args], [DEV_ADDRESSES[0], DEV_ADDRESSES[6], 66n]);
            assert.equal(ev.log.transactionHash, receipt.hash);
        } finally {
            await token.off(token.filters.Transfer(null, DEV_ADDRESSES[6]), listener);
        }
    });

    step(rec, 'raw filters: log, block and pending-transaction filters, uninstall', { requires: deployed }, async () => {
        const address = await token.getAddress();
        const topics = [token.interface.getEvent('Transfer').topicHash];
        const logFilter = await provider.send('eth_newFilter', [{ address, topics }]);
        const rangeFilter = await provider.send('eth_newFilter', [{ address, topics, fromBlock: ethers.toQuantity(deployBlock) }]);
        const blockFilter = await provider.send('eth_newBlockFilter', []);
        const pendingFilter = await provider.send('eth_newPendingTransactionFilter', []);
        const tx = await token.transfer(DEV_ADDRESSES[7], 77n);
        const receipt = await tx.wait();
        // Changes: what came after the filter was made, once. Logs: the filter's whole range.
        const logs = await provider.send('eth_getFilterChanges', [logFilter]);
        assert.equal(logs.length, 1);
        assert.equal(logs[0].transactionHash, receipt.hash);
        assert.deepEqual(await provider.send('eth_getFilterChanges', [logFilter]), [], 'changes are reported once');
        const filterLogs = await provider.send('eth_getFilterLogs', [rangeFilter]);
        assert.deepEqual(filterLogs.map((l) => BigInt(l.data)), [SUPPLY, 1000n, 400n, 10n, 66n, 77n]);
        const blocks = await provider.send('eth_getFilterChanges', [blockFilter]);
        assert.ok(blocks.includes(receipt.blockHash), `block filter: ${JSON.stringify(blocks)}`);
        const pending = await provider.send('eth_getFilterChanges', [pendingFilter]);
        assert.ok(pending.includes(receipt.hash), `pending filter: ${JSON.stringify(pending)}`);
        for (const id of [logFilter, rangeFilter, blockFilter, pendingFilter]) {
            assert.equal(await provider.send('eth_uninstallFilter', [id]), true);
            assert.equal(await provider.send('eth_uninstallFilter', [id]), false);
        }
        await assert.rejects(provider.send('eth_getFilterChanges', [logFilter]), /filter not found/);
    });

    step(rec, 'sends a JSON-RPC batch and gets every answer in place', { requires: deployed }, async () => {
        const batches = [];
        const spy = (ev) => {
            if (ev.action === 'sendRpcPayload' && Array.isArray(ev.payload) && ev.payload.length > 1) batches.push(ev.payload);
        };
        await provider.on('debug', spy);
        let results;
        try {
            // ethers joins the requests of one tick into one batch.
            results = await Promise.all([
                provider.getBalance(DEV_ADDRESSES[8]),
                provider.getTransactionCount(DEV_ADDRESSES[0]),
                token.balanceOf(DEV_ADDRESSES[1]),
                provider.getCode(DEV_ADDRESSES[9]),
                provider.getBlockNumber(),
            ]);
        } finally {
            await provider.off('debug', spy);
        }
        assert.ok(batches.some((b) => b.length === 5), `no batch of 5 was sent: ${JSON.stringify(batches)}`);
        assert.equal(results[0], 10n ** 24n + 3n * ETHER);
        assert.equal(results[1], await provider.getTransactionCount(DEV_ADDRESSES[0]));
        assert.equal(results[2], 600n);
        assert.equal(results[3], '0x');
        assert.equal(results[4], await provider.getBlockNumber());
    });

    step(rec, 'subscribes to newHeads and logs over WebSocket', { requires: deployed }, async () => {
        const ws = rec.watchEthers(new ethers.WebSocketProvider(node.wsUrl, Number(CHAIN_ID)));
        try {
            const before = rec.answered('eth_subscribe');
            const heads = [];
            const transfers = [];
            await ws.on('block', (n) => heads.push(n));
            const wsToken = token.connect(ws);
            await wsToken.on('Transfer', (from, to, value) => transfers.push([from, to, value]));
            await waitFor('two subscriptions', () => rec.answered('eth_subscribe') >= before + 2);
            const tx = await token.transfer(DEV_ADDRESSES[8], 88n);
            const receipt = await tx.wait();
            await waitFor('a newHeads notification for the transfer\'s block', () => heads.includes(receipt.blockNumber));
            await waitFor('the Transfer log notification', () => transfers.length > 0);
            assert.deepEqual(transfers, [[DEV_ADDRESSES[0], DEV_ADDRESSES[8], 88n]]);
            // The WebSocket provider answers ordinary calls too.
            assert.equal(await ws.getBlockNumber(), receipt.blockNumber);
            await wsToken.removeAllListeners();
        } finally {
            await ws.destroy();
        }
    });

    // ethers' JsonRpcSigner.signMessage calls personal_sign(data, address), which needs the
    // account's passphrase as a third argument on spectrumd as on geth ("missing value for
    // required argument 2"); its _legacySignMessage calls eth_sign, which signs with an
    // unlocked account. Both need credentials on spectrumd (they touch the wallet).
    step(rec, "signs a message with the node's unlocked account (eth_sign, with the cookie)", async () => {
        const creds = node.credentials();
        assert.ok(creds || node.external, 'no cookie to authenticate with');
        const req = new ethers.FetchRequest(node.url);
        if (creds) {
            req.allowInsecureAuthentication = true; // loopback HTTP
            req.setCredentials(creds[0], creds[1]);
        }
        const authed = rec.watchEthers(new ethers.JsonRpcProvider(req, Number(CHAIN_ID), OPTS));
        try {
            const signer = await authed.getSigner(DEV_ADDRESSES[1]);
            const sig = await signer._legacySignMessage('spectrumd interop');
            assert.equal(ethers.verifyMessage('spectrumd interop', sig), DEV_ADDRESSES[1]);
        } finally {
            authed.destroy();
        }
    });
});
