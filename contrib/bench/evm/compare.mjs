// compare.mjs — joins the two sides' JSON lines (run.sh calls it) and prints
// the markdown table. Plain Node, no packages.
//
// Usage: node compare.mjs ETHEREUMJS.jsonl SPECTRUMD.jsonl
// Each file holds one JSON object per line: {name, gas_used,
// seconds_per_run, mgas_per_s} and optionally status and output_sha256;
// other lines (blank, or not starting with "{") are ignored.
// Exit status: 0 when every program is on both sides with equal gas_used
// (and equal status / output_sha256 where both sides give them); 1 on any
// mismatch, which is also reported loudly on stderr; 2 on unreadable input.

import { readFileSync } from 'node:fs'

function load(path, side) {
  const byName = new Map()
  const lines = readFileSync(path, 'utf8').split('\n')
  lines.forEach((line, i) => {
    const t = line.trim()
    if (!t.startsWith('{')) return
    let o
    try {
      o = JSON.parse(t)
    } catch (e) {
      console.error(`compare: ${side} line ${i + 1} is not JSON: ${e.message}`)
      process.exit(2)
    }
    for (const k of ['name', 'gas_used', 'seconds_per_run']) {
      if (o[k] === undefined) {
        console.error(`compare: ${side} line ${i + 1} has no "${k}"`)
        process.exit(2)
      }
    }
    if (!(o.seconds_per_run > 0)) {
      console.error(`compare: ${side} ${o.name}: seconds_per_run must be > 0`)
      process.exit(2)
    }
    if (byName.has(o.name)) {
      console.error(`compare: ${side} reports ${o.name} twice`)
      process.exit(2)
    }
    byName.set(o.name, o)
  })
  if (byName.size === 0) {
    console.error(`compare: no results from ${side} (${path})`)
    process.exit(2)
  }
  return byName
}

const [ejsPath, ourPath] = process.argv.slice(2)
if (!ejsPath || !ourPath) {
  console.error('usage: node compare.mjs ETHEREUMJS.jsonl SPECTRUMD.jsonl')
  process.exit(2)
}
const ejs = load(ejsPath, 'ethereumjs')
const ours = load(ourPath, 'spectrumd')

const problems = []
for (const name of ours.keys()) {
  if (!ejs.has(name)) problems.push(`${name}: only spectrumd ran it`)
}

const mgas = (o) => o.gas_used / o.seconds_per_run / 1e6
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

const rows = []
let ejsTotal = 0
let ourTotal = 0
let gasTotal = 0
for (const [name, a] of ejs) {
  const b = ours.get(name)
  if (!b) {
    problems.push(`${name}: only ethereumjs ran it`)
    continue
  }
  let mark = ''
  if (a.gas_used !== b.gas_used) {
    problems.push(
      `${name}: GAS MISMATCH: ethereumjs used ${a.gas_used}, spectrumd ${b.gas_used} ` +
        `(difference ${b.gas_used - a.gas_used})`,
    )
    mark = ' **GAS MISMATCH**'
  }
  if (a.status !== undefined && b.status !== undefined && a.status !== b.status) {
    problems.push(`${name}: STATUS MISMATCH: ethereumjs ${a.status}, spectrumd ${b.status}`)
    mark += ' **STATUS MISMATCH**'
  }
  if (a.output_sha256 !== undefined && b.output_sha256 !== undefined &&
      a.output_sha256.toLowerCase() !== b.output_sha256.toLowerCase()) {
    problems.push(`${name}: OUTPUT MISMATCH: return data differs (sha256 ${a.output_sha256} vs ${b.output_sha256})`)
    mark += ' **OUTPUT MISMATCH**'
  }
  ejsTotal += a.seconds_per_run
  ourTotal += b.seconds_per_run
  gasTotal += a.gas_used
  const gas = a.gas_used === b.gas_used ? `${a.gas_used}` : `${a.gas_used} / ${b.gas_used}`
  const ratio = a.seconds_per_run / b.seconds_per_run
  rows.push(`| ${name}${mark} | ${gas} | ${fmt(mgas(a))} | ${fmt(mgas(b))} | ${ratio.toFixed(2)}× |`)
}

console.log('| program | gas | ethereumjs Mgas/s | spectrumd Mgas/s | ratio |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const r of rows) console.log(r)
if (ourTotal > 0) {
  console.log(
    `| **suite** | ${gasTotal} | ${fmt(gasTotal / ejsTotal / 1e6)} | ${fmt(gasTotal / ourTotal / 1e6)} | ` +
      `${(ejsTotal / ourTotal).toFixed(2)}× |`,
  )
  console.log('')
  console.log(
    `Total time over the suite: ethereumjs ${ejsTotal.toFixed(4)} s, spectrumd ${ourTotal.toFixed(4)} s ` +
      `per pass; ratio (ethereumjs / spectrumd) ${(ejsTotal / ourTotal).toFixed(2)}.`,
  )
  console.log('Ratio > 1 means spectrumd is faster. Times are medians per run of each program.')
}

if (problems.length > 0) {
  console.error('')
  console.error('==================== EVM BENCHMARK MISMATCH ====================')
  for (const p of problems) console.error(`  ${p}`)
  console.error('The two EVMs disagree (same rules must give the same gas and output).')
  console.error('================================================================')
  process.exit(1)
}
