'use strict'
// Publishes --count messages to --topic over TCP with an nsqjs Writer and prints
// one JSON line: {"ok":true,"published":N,"pubCommands":P,"mpubCommands":M,...}.
//
//   node publish.js --nsqd=127.0.0.1:4150 --topic=t --count=5000 [--start=0]
//        [--prefix=tcp-] [--mode=pub|mpub|mixed|dpub] [--mpub-batch=100]
//        [--defer-ms=1000] [--window=200] [--timeout-ms=120000]
//        [--tls [--tls-ca=ca.pem] [--tls-cert=c.pem --tls-key=k.pem]] [--snappy | --deflate [--deflate-level=6]]
//
// Bodies are `${prefix}${i}` for i in [start, start+count). mode=mixed sends the
// first half as PUB and the second half as MPUB batches of --mpub-batch;
// mode=dpub sends each message as DPUB with --defer-ms.
// --window bounds the commands awaiting their OK (replies are FIFO, §10.1).
const nsq = require('nsqjs')
const cli = require('./lib/cli')

async function main(args, state) {
  const [host, port] = cli.str(args, 'nsqd').split(':')
  const topic = cli.str(args, 'topic')
  const count = cli.int(args, 'count')
  const start = cli.int(args, 'start', 0)
  const prefix = cli.str(args, 'prefix', 'msg-')
  const mode = cli.str(args, 'mode', 'mixed')
  const batch = cli.int(args, 'mpub-batch', 100)
  const window = cli.int(args, 'window', 200)
  const deferMs = cli.int(args, 'defer-ms', 0)
  if (!['pub', 'mpub', 'mixed', 'dpub'].includes(mode)) throw new Error(`--mode=${mode} is not pub, mpub, mixed or dpub`)
  if (mode === 'dpub' && deferMs <= 0) throw new Error('--mode=dpub needs --defer-ms > 0')

  // Plan the commands: each is one PUB body or one MPUB array.
  const commands = []
  const pubCount = mode === 'pub' || mode === 'dpub' ? count : mode === 'mpub' ? 0 : Math.floor(count / 2)
  for (let i = 0; i < pubCount; i++) commands.push(`${prefix}${start + i}`)
  for (let i = pubCount; i < count; i += batch) {
    const part = []
    for (let j = i; j < Math.min(count, i + batch); j++) part.push(`${prefix}${start + j}`)
    commands.push(part)
  }

  const result = {published: 0, pubCommands: 0, mpubCommands: 0, dpubCommands: 0, phase: 'connect'}
  state.snapshot = () => result
  const started = Date.now()

  const writer = new nsq.Writer(host, Number(port), cli.connectionOptions(args))
  const errors = []
  result.errors = errors
  // nsqjs emits both 'error' and a connection error; later ones also reach the
  // publish callbacks, so here they are only recorded.
  writer.on('error', (e) => {
    if (errors.length < 20) errors.push(`${e && e.message ? e.message : e}`)
  })
  await new Promise((resolve, reject) => {
    writer.once('ready', resolve)
    writer.once('error', (e) => reject(new Error(`writer error while connecting: ${e && e.message ? e.message : e}`)))
    writer.once('closed', () => reject(new Error('writer closed while connecting')))
    writer.connect()
  })

  result.phase = 'publish'
  let next = 0
  await new Promise((resolve, reject) => {
    let outstanding = 0
    let failed = false
    const pump = () => {
      while (!failed && outstanding < window && next < commands.length) {
        const cmd = commands[next++]
        outstanding++
        // nsqjs 0.13.0's deferPublish hands its argument on unwrapped and then insists on
        // an array ("Expect an array of messages"), so the one body goes in an array.
        const send =
          mode === 'dpub'
            ? (cb) => writer.deferPublish(topic, [cmd], deferMs, cb)
            : (cb) => writer.publish(topic, cmd, cb)
        send((err) => {
          outstanding--
          if (err) {
            failed = true
            reject(new Error(`publish failed after ${result.published} messages: ${err.message || err}`))
            return
          }
          if (Array.isArray(cmd) && cmd.length > 1) {
            // nsqjs sends a one-element array as PUB
            result.mpubCommands++
            result.published += cmd.length
          } else if (mode === 'dpub') {
            result.dpubCommands++
            result.published++
          } else {
            result.pubCommands++
            result.published += Array.isArray(cmd) ? cmd.length : 1
          }
          if (result.published === count) resolve()
          else pump()
        })
      }
    }
    if (count === 0) resolve()
    else pump()
  })

  result.phase = 'done'
  result.elapsedMs = Date.now() - started
  writer.close()
  cli.finish(Object.assign({ok: true}, result), 0)
}

cli.run(main, 120000)
