// Runs alex (npm, node_modules/) over a JSON list of documents for benchmarks/lint_bench.py.
// Usage: node benchmarks/alex_runner.mjs DOCS.json REPEATS
// Prints JSON: {version, flagged: [[ruleId, ...] per document], seconds_per_pass,
// cpu_seconds_per_pass, passes}.
// Gender rules (retext-equality categories male/female) and profanities are switched off, as
// in the baseline of reference/language.md §4: they fire on almost every sentence of a note.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const modules = path.join(root, 'node_modules')
const {text} = await import(pathToFileURL(path.join(modules, 'alex', 'index.js')).href)
const {patterns} = await import(
  pathToFileURL(path.join(modules, 'retext-equality', 'lib', 'en.js')).href
)
const require = createRequire(import.meta.url)
const version = require(path.join(modules, 'alex', 'package.json')).version

const gender = patterns
  .filter((p) => p.categories.some((c) => c === 'male' || c === 'female'))
  .map((p) => p.id)
const config = {allow: gender, profanitySureness: 2}

const docs = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const repeats = Number(process.argv[3] || 3)

const lintAll = () =>
  docs.map((doc) =>
    text(doc, config)
      .messages.filter((m) => m.source !== 'retext-profanities')
      .map((m) => m.ruleId)
  )

const flagged = lintAll() // also the warm-up pass
// Wall time and CPU time (user + system): on a shared machine CPU time is the steadier one.
const cpu0 = process.cpuUsage()
const start = process.hrtime.bigint()
for (let i = 0; i < repeats; i++) lintAll()
const seconds = Number(process.hrtime.bigint() - start) / 1e9
const cpu = process.cpuUsage(cpu0)
const cpuSeconds = (cpu.user + cpu.system) / 1e6
console.log(
  JSON.stringify({
    version,
    flagged,
    seconds_per_pass: seconds / repeats,
    cpu_seconds_per_pass: cpuSeconds / repeats,
    passes: repeats
  })
)
