// Runs alex (npm, node_modules/) over a JSON list of texts for scripts/heldout_eval.py and
// prints, per text, the flagged spans as [[start, end, ruleId], ...] (0-based offsets into
// the text, end exclusive; UTF-16 units, which equal code points for the corpus's text).
// Usage: node scripts/alex_spans.mjs TEXTS.json
// Same configuration as benchmarks/alex_runner.mjs: gender rules (retext-equality
// categories male/female) and profanities are off, as in the baseline of the language
// reference's evaluation design; they fire on almost every sentence of a note.
import {readFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const modules = path.join(root, 'node_modules')
const {text} = await import(pathToFileURL(path.join(modules, 'alex', 'index.js')).href)
const {patterns} = await import(
  pathToFileURL(path.join(modules, 'retext-equality', 'lib', 'en.js')).href
)

const gender = patterns
  .filter((p) => p.categories.some((c) => c === 'male' || c === 'female'))
  .map((p) => p.id)
const config = {allow: gender, profanitySureness: 2}

const texts = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const spans = texts.map((doc) =>
  text(doc, config)
    .messages.filter((m) => m.source !== 'retext-profanities')
    .map((m) => [m.position.start.offset, m.position.end.offset, m.ruleId])
)
console.log(JSON.stringify(spans))
