'use strict'
// Shared plumbing for the scripts the EndToEnd.Tests start as child processes:
// `--name=value` arguments, one JSON result line on stdout, and a hard timeout so
// a script never outlives the test that started it.

function parseArgs(argv) {
  const args = {}
  for (const raw of argv) {
    if (!raw.startsWith('--')) throw new Error(`unexpected argument ${raw} (use --name=value)`)
    const eq = raw.indexOf('=')
    if (eq === -1) args[raw.slice(2)] = 'true'
    else args[raw.slice(2, eq)] = raw.slice(eq + 1)
  }
  return args
}

function str(args, name, fallback) {
  const v = args[name]
  if (v === undefined || v === '') {
    if (fallback === undefined) throw new Error(`missing required argument --${name}`)
    return fallback
  }
  return v
}

function int(args, name, fallback) {
  const v = args[name]
  if (v === undefined || v === '') {
    if (fallback === undefined) throw new Error(`missing required argument --${name}`)
    return fallback
  }
  const n = Number(v)
  if (!Number.isInteger(n)) throw new Error(`--${name}=${v} is not an integer`)
  return n
}

function bool(args, name) {
  const v = args[name]
  return v === 'true' || v === '1'
}

function list(args, name) {
  const v = args[name]
  return v ? v.split(',').filter((s) => s.length > 0) : []
}

// nsqjs' connection options: --tls (upgrade after IDENTIFY) with --tls-ca=<PEM file> (the CA the server's
// certificate must chain to; without it the certificate is not verified) and --tls-cert/--tls-key=<PEM files> (a
// client certificate); --snappy, or --deflate with --deflate-level=N; --auth-secret=S (AUTH after IDENTIFY).
function connectionOptions(args) {
  const options = {}
  if (bool(args, 'tls')) {
    const fs = require('fs')
    options.tls = true
    options.tlsVerification = false
    if (args['tls-ca']) {
      options.tlsVerification = true
      options.ca = fs.readFileSync(args['tls-ca'])
    }
    if (args['tls-cert']) options.cert = fs.readFileSync(args['tls-cert'])
    if (args['tls-key']) options.key = fs.readFileSync(args['tls-key'])
  }
  if (args['auth-secret']) options.authSecret = args['auth-secret']
  if (bool(args, 'snappy')) options.snappy = true
  if (bool(args, 'deflate')) {
    options.deflate = true
    options.deflateLevel = int(args, 'deflate-level', 6)
  }
  return options
}

let finished = false

// Writes the one result line and exits; later calls are ignored so a timeout
// racing a normal finish cannot print twice.
function finish(result, exitCode) {
  if (finished) return
  finished = true
  const line = JSON.stringify(result) + '\n'
  process.stdout.write(line, () => process.exit(exitCode))
}

function fail(reason, extra) {
  finish(Object.assign({ok: false, reason}, extra || {}), 1)
}

// Runs main(args) with a hard timeout; `snapshot` supplies the partial
// results printed when the timeout fires.
function run(main, defaultTimeoutMs) {
  let args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    fail(`bad arguments: ${e.message}`)
    return
  }
  const timeoutMs = int(args, 'timeout-ms', defaultTimeoutMs)
  const state = {snapshot: () => ({})}
  const timer = setTimeout(() => {
    fail(`hard timeout after ${timeoutMs} ms`, state.snapshot())
  }, timeoutMs)
  timer.unref()
  // keeps the event loop alive until finish() even if every socket closed
  const keepAlive = setInterval(() => {}, 1 << 30)
  process.on('uncaughtException', (e) => fail(`uncaught exception: ${e && e.stack ? e.stack : e}`, state.snapshot()))
  process.on('unhandledRejection', (e) => fail(`unhandled rejection: ${e && e.stack ? e.stack : e}`, state.snapshot()))
  Promise.resolve()
    .then(() => main(args, state, timeoutMs))
    .catch((e) => fail(`${e && e.message ? e.message : e}`, state.snapshot()))
    .finally(() => clearInterval(keepAlive))
}

module.exports = {parseArgs, str, int, bool, list, connectionOptions, finish, fail, run}
