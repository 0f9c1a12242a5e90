'use strict'
// Consumes --topic/--channel with one or more nsqjs Readers (one TCP connection
// each) until --expect distinct bodies have been FINished, then prints one JSON
// line and exits 0; on the hard timeout it prints the same counts with ok:false
// and exits 1.
//
//   node consume.js --topic=t --channel=c --expect=N
//        (--nsqd=127.0.0.1:4150[,..] | --lookupd=127.0.0.1:4161[,..] [--lookupd-poll-s=1])
//        [--readers=1] [--max-in-flight=100] [--timeout-ms=120000]
//        [--tls [--tls-ca=ca.pem] [--tls-cert=c.pem --tls-key=k.pem]] [--snappy | --deflate [--deflate-level=6]]   upgrades after IDENTIFY
//        [--requeue-first]            REQ 0 (no backoff) every delivery with attempts 1
//        [--message-timeout-ms=2000]  IDENTIFY msg_timeout
//        [--hold-ms=5000 --touch-every-ms=1000]  keep each message, TOUCH it, then FIN
//        [--linger-ms=0]              keep listening after the goal, to catch redeliveries
//
// Result fields: finished (distinct bodies FINed), unique (distinct bodies seen),
// received (deliveries), redeliveries (deliveries of a body seen before),
// duplicatesAfterFin (deliveries of a body already FINed: at-least-once noise
// a test may want to be zero), attempts ({attempts: deliveries}),
// finishedAttempts ({attempts: FINs}), requeued, touches, perReader, errors,
// minLatencyMs/maxLatencyMs (delivery time minus the message's publish timestamp).
const nsq = require('nsqjs')
const cli = require('./lib/cli')

async function main(args, state) {
  const topic = cli.str(args, 'topic')
  const channel = cli.str(args, 'channel')
  const expect = cli.int(args, 'expect')
  const nsqd = cli.list(args, 'nsqd')
  const lookupd = cli.list(args, 'lookupd')
  const readers = cli.int(args, 'readers', 1)
  const maxInFlight = cli.int(args, 'max-in-flight', 100)
  const requeueFirst = cli.bool(args, 'requeue-first')
  const messageTimeoutMs = cli.int(args, 'message-timeout-ms', 0)
  const holdMs = cli.int(args, 'hold-ms', 0)
  const touchEveryMs = cli.int(args, 'touch-every-ms', 0)
  const lingerMs = cli.int(args, 'linger-ms', 0)
  const heartbeatS = cli.int(args, 'heartbeat-s', 0)
  if (nsqd.length === 0 && lookupd.length === 0) throw new Error('give --nsqd or --lookupd')

  const seen = new Map() // body -> deliveries
  const fins = new Set()
  const r = {
    expected: expect,
    finished: 0,
    unique: 0,
    received: 0,
    redeliveries: 0,
    duplicatesAfterFin: 0,
    attempts: {},
    finishedAttempts: {},
    requeued: 0,
    touches: 0,
    perReader: new Array(readers).fill(0),
    minLatencyMs: null,
    maxLatencyMs: null,
    connected: 0,
    errors: [],
  }
  const started = Date.now()
  state.snapshot = () => Object.assign({}, r, {elapsedMs: Date.now() - started})
  const bump = (o, k) => (o[k] = (o[k] || 0) + 1)

  const options = Object.assign({maxInFlight}, cli.connectionOptions(args))
  if (nsqd.length > 0) options.nsqdTCPAddresses = nsqd
  if (lookupd.length > 0) {
    options.lookupdHTTPAddresses = lookupd
    options.lookupdPollInterval = cli.int(args, 'lookupd-poll-s', 1)
  }
  if (messageTimeoutMs > 0) options.messageTimeout = messageTimeoutMs
  if (heartbeatS > 0) options.heartbeatInterval = heartbeatS

  let goalReached = false
  let resolveGoal
  const goal = new Promise((resolve) => (resolveGoal = resolve))

  const finishMessage = (msg, body) => {
    msg.finish()
    bump(r.finishedAttempts, msg.attempts)
    if (!fins.has(body)) {
      fins.add(body)
      r.finished = fins.size
      if (r.finished >= expect && !goalReached) {
        goalReached = true
        resolveGoal()
      }
    }
  }

  const all = []
  for (let i = 0; i < readers; i++) {
    const reader = new nsq.Reader(topic, channel, options)
    reader.on('error', (e) => {
      if (r.errors.length < 20) r.errors.push(`reader ${i}: ${e && e.message ? e.message : e}`)
    })
    reader.on('nsqd_connected', () => r.connected++)
    reader.on('message', (msg) => {
      const body = msg.body.toString()
      const latency = Date.now() - Number(msg.timestamp / 1000000n)
      if (r.minLatencyMs === null || latency < r.minLatencyMs) r.minLatencyMs = latency
      if (r.maxLatencyMs === null || latency > r.maxLatencyMs) r.maxLatencyMs = latency
      r.received++
      r.perReader[i]++
      bump(r.attempts, msg.attempts)
      const before = seen.get(body) || 0
      if (before > 0) r.redeliveries++
      if (fins.has(body)) r.duplicatesAfterFin++
      seen.set(body, before + 1)
      r.unique = seen.size

      if (requeueFirst && msg.attempts === 1) {
        r.requeued++
        msg.requeue(0, false)
        return
      }
      if (holdMs > 0) {
        const touching =
          touchEveryMs > 0
            ? setInterval(() => {
                r.touches++
                msg.touch()
              }, touchEveryMs)
            : null
        setTimeout(() => {
          if (touching) clearInterval(touching)
          finishMessage(msg, body)
        }, holdMs)
        return
      }
      finishMessage(msg, body)
    })
    reader.connect()
    all.push(reader)
  }

  if (expect === 0) resolveGoal()
  await goal
  if (lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, lingerMs))
  // let the last FINs reach the socket before CLS
  await new Promise((resolve) => setImmediate(resolve))
  for (const reader of all) reader.close()
  cli.finish(Object.assign({ok: true, reason: 'expected bodies finished'}, state.snapshot()), 0)
}

cli.run(main, 120000)
