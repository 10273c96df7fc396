// Connects the Node Socket.IO clients 4.x (Engine.IO v4) and 2.x (Engine.IO v3, as the seed's crowd
// pages use) to <base>/echo over websocket only, polling only, and the browsers' default (polling,
// then upgrade to websocket), emits "echo" and waits for it to come back. Prints one JSON line per case; exits 0 when every case passed.
// Usage: node echo-check.js http://localhost:PORT
'use strict';

const base = process.argv[2];
if (!base) {
  console.error('usage: node echo-check.js <base url>');
  process.exit(2);
}

function load(name) {
  const m = require(name);
  return m.io || m.default || m;
}

const clients = {
  v4: load('socket.io-client-v4'),
  v2: load('socket.io-client-v2'),
};

function check(version, transport) {
  return new Promise((resolve) => {
    const io = clients[version];
    const upgrade = transport === 'upgrade';
    const transports = upgrade ? ['polling', 'websocket'] : [transport];
    const socket = io(base + '/echo', {transports, forceNew: true, reconnection: false, timeout: 10000});
    const result = {version, transport, ok: false};
    let hello = null;
    const timer = setTimeout(() => finish('timeout'), 15000);

    function finish(error) {
      clearTimeout(timer);
      if (error) result.error = String(error);
      socket.close();
      resolve(result);
    }

    socket.on('connect_error', (e) => finish('connect_error: ' + (e && e.message ? e.message : e)));
    socket.on('error', (e) => finish('error: ' + e));
    const currentTransport = () => socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.name;
    socket.on('hello', (h) => {
      hello = h;
      const emit = () => socket.emit('echo', {version, transport, text: 'héllo'}, 7);
      if (!upgrade) {
        emit();
        return;
      }
      const started = Date.now();
      const wait = setInterval(() => {
        if (currentTransport() === 'websocket' || Date.now() - started > 10000) {
          clearInterval(wait);
          emit();
        }
      }, 20);
    });
    socket.on('echo', (payload, number) => {
      result.hello = hello;
      result.engineTransport = currentTransport();
      const good = payload && payload.version === version && payload.transport === transport
          && payload.text === 'héllo' && number === 7
          && hello && hello.transport === (upgrade ? 'polling' : transport)
          && hello.EIO === (version === 'v2' ? '3' : '4')
          && result.engineTransport === (upgrade ? 'websocket' : transport);
      result.ok = !!good;
      finish(good ? null : 'unexpected echo ' + JSON.stringify({payload, number, hello}));
    });
  });
}

(async () => {
  let failed = 0;
  for (const version of ['v4', 'v2']) {
    for (const transport of ['websocket', 'polling', 'upgrade']) {
      const r = await check(version, transport);
      if (!r.ok) failed++;
      console.log(JSON.stringify(r));
    }
  }
  process.exit(failed === 0 ? 0 : 1);
})();
