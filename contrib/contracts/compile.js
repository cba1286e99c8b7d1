// compile.js: compiles the system contracts with the pinned solc from npm and writes one
// artifact per contract, <outdir>/<Name>.json = {contractName, abi, bytecode,
// deployedBytecode, solcVersion, settings, sourceSha256}.
//
// Why it is shaped this way: the artifacts are committed and spectrumd builds its regtest
// genesis from them, so the output must be a pure function of the sources, the compiler
// version and the settings below: fixed settings, sources passed by content under their bare
// file names (these names end up in the metadata hash inside the bytecode), stable JSON
// formatting. Any compiler warning or error fails the build. Run through build.sh.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const CONTRACTS = ['ChiefBase', 'POC', 'TribeChief', 'Anmap', 'MeshBox', 'ProxyToken',
                   'SecretRegistry', 'TokensNetwork', 'SMTToken', 'PhotonTestToken', 'MeshBoxRegistry'];
const PINNED_SOLC = require('./package.json').devDependencies.solc;
const SETTINGS = {
    optimizer: { enabled: true, runs: 200 },
    // Byzantium: the jump table of every Spectrum block before SIP004 (spec §6.6); the
    // contracts must not use SHL/SHR/SAR, CREATE2, EXTCODEHASH, CHAINID or SELFBALANCE.
    evmVersion: 'byzantium',
};

function fail(msg) {
    process.stderr.write('compile.js: ' + msg + '\n');
    process.exit(1);
}

function main() {
    const outdir = process.argv[2];
    if (!outdir) fail('usage: node compile.js OUTDIR');

    const solcPkg = require('solc/package.json');
    if (solcPkg.version !== PINNED_SOLC) {
        fail(`node_modules has solc ${solcPkg.version}, package.json pins ${PINNED_SOLC}; ` +
             'remove contrib/contracts/node_modules and run build.sh again');
    }
    const solc = require('solc');

    const sources = {};
    const sha = {};
    for (const name of CONTRACTS) {
        const file = name + '.sol';
        const text = fs.readFileSync(path.join(__dirname, file), 'utf8');
        sources[file] = { content: text };
        sha[name] = crypto.createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
    }
    const input = {
        language: 'Solidity',
        sources,
        settings: Object.assign({}, SETTINGS, {
            outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
        }),
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input)));
    const problems = (output.errors || []).filter((e) => e.severity === 'error' || e.severity === 'warning');
    if (problems.length > 0) {
        for (const e of problems) process.stderr.write(e.formattedMessage || e.message);
        fail(`${problems.length} compiler error(s)/warning(s)`);
    }

    fs.mkdirSync(outdir, { recursive: true });
    for (const name of CONTRACTS) {
        const c = output.contracts[name + '.sol'] && output.contracts[name + '.sol'][name];
        if (!c) fail(`no output for ${name}`);
        const artifact = {
            contractName: name,
            abi: c.abi,
            bytecode: '0x' + c.evm.bytecode.object,
            deployedBytecode: '0x' + c.evm.deployedBytecode.object,
            solcVersion: solc.version(),
            settings: SETTINGS,
            sourceSha256: sha[name],
        };
        fs.writeFileSync(path.join(outdir, name + '.json'), JSON.stringify(artifact, null, 2) + '\n');
    }
    process.stdout.write(`compile.js: ${CONTRACTS.length} artifacts written to ${outdir} (solc ${solc.version()})\n`);
}

main();
