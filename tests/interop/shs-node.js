// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the Glowtalk developers
// The reference secret handshake (npm secret-handshake) as a test peer for
// tests/integration/shs-interop.t. One connection on 127.0.0.1, then it
// prints what it derived as "name hex" lines and exits 0, or prints
// "error ..." and exits 1. Usage:
//   node shs-node.js server --netkey HEX [--refuse]
//   node shs-node.js client --netkey HEX --server-key HEX --port N
'use strict'
var net = require('net')
var crypto = require('crypto')
var pull = require('pull-stream')
var toPull = require('stream-to-pull-stream')
var SHS = require('secret-handshake')

var TIMEOUT_MS = 10000 // whole run, and the handshake's own timeout

function arg (name) {
  var i = process.argv.indexOf('--' + name)
  return i < 0 ? null : process.argv[i + 1]
}

function out (name, buf) {
  process.stdout.write(name + ' ' + Buffer.from(buf).toString('hex') + '\n')
}

function fail (msg) {
  process.stdout.write('error ' + msg + '\n')
  process.exit(1)
}

var mode = process.argv[2]
var netkey = Buffer.from(arg('netkey') || '', 'hex')
if (netkey.length !== 32) fail('--netkey must be 64 hex digits')
var keys = SHS.toKeys(crypto.randomBytes(32)) // Ed25519 from a seed
setTimeout(function () { fail('timed out') }, TIMEOUT_MS).unref()
out('pub', keys.publicKey)

// The state the reference keeps after clean(): its box-stream parameters
// are what protocol.js secure() hands to pull-box-stream.
function report (err, stream, state) {
  if (err) return fail(String(err.message || err).split('\n')[0])
  out('peer', state.remote.publicKey)
  out('enc_key', state.encryptKey)
  out('enc_nonce', state.remote.app_mac.slice(0, 24))
  out('dec_key', state.decryptKey)
  out('dec_nonce', state.local.app_mac.slice(0, 24))
  process.stdout.write('ok\n')
  // Let msg 4 (server) reach the socket, then end our side cleanly.
  pull(pull.empty(), stream.sink)
  pull(stream.source, pull.drain(null, function () { process.exit(0) }))
}

if (mode === 'server') {
  var refuse = process.argv.indexOf('--refuse') >= 0
  var authorize = function (pub, cb) { cb(null, !refuse) }
  var server = net.createServer(function (sock) {
    server.close()
    var shake = SHS.createServerStream(keys, authorize, netkey, TIMEOUT_MS)
    var s = shake(report)
    var duplex = toPull.duplex(sock)
    pull(duplex, s, duplex)
  })
  server.listen(0, '127.0.0.1', function () {
    process.stdout.write('port ' + server.address().port + '\n')
  })
} else if (mode === 'client') {
  var serverKey = Buffer.from(arg('server-key') || '', 'hex')
  var port = parseInt(arg('port'), 10)
  if (serverKey.length !== 32 || !(port > 0)) fail('bad --server-key/--port')
  var sock = net.connect(port, '127.0.0.1', function () {
    var shake = SHS.createClientStream(keys, netkey, TIMEOUT_MS)
    var c = shake(serverKey, report)
    var duplex = toPull.duplex(sock)
    pull(duplex, c, duplex)
  })
  sock.on('error', function (e) { fail('socket: ' + e.message) })
} else {
  fail('usage: shs-node.js server|client ...')
}
