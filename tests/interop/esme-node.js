'use strict';
// An ESME nobody here wrote: node-smpp's client, for tests/Taifa.Silo.Tests/Smpp/InteropTests.cs.
// Usage: node esme-node.js <port> <system_id> <password> <sender> <destination> <scenario> [count] [window]
// Scenarios: basic (bind_transmitter, submit_sm, unbind), keepalive (enquire_link x3 around a submit),
// ucs2, concat (three UDH segments), burst (count submits, at most window outstanding).
// Prints one line per submit_sm_resp ("RESP <status> <message_id>") and "DONE <ok> <failed>" at the end;
// exits non-zero with a reason on any protocol surprise, and after 60 s whatever happens.
const smpp = require('smpp');

const [port, systemId, password, sender, destination, scenario, countArg, windowArg] = process.argv.slice(2);
const fail = (why) => { console.log(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail('timed out after 60 s'), 60000).unref();

const session = smpp.connect({ url: `smpp://127.0.0.1:${port}` });
session.on('error', (e) => fail(`socket error ${e.message}`));
const call = (command, fields) => new Promise((resolve) => session[command](fields, resolve));
const address = { source_addr_ton: 5, source_addr_npi: 0, source_addr: sender, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: destination };
let ok = 0, failed = 0;
const record = (pdu) => {
  console.log(`RESP ${pdu.command_status} ${pdu.message_id || ''}`);
  if (pdu.command_status === 0) ok++; else failed++;
};

async function run() {
  const bind = await call('bind_transmitter', { system_id: systemId, password, interface_version: 0x34 });
  if (bind.command_status !== 0) fail(`bind_transmitter answered ${bind.command_status}`);
  console.log('BOUND');

  if (scenario === 'basic') {
    record(await call('submit_sm', { ...address, short_message: 'Hello from Taifa Mobile' }));
  } else if (scenario === 'keepalive') {
    for (let i = 0; i < 3; i++) {
      const resp = await call('enquire_link', {});
      if (resp.command !== 'enquire_link_resp' || resp.command_status !== 0) fail('bad enquire_link_resp');
      console.log('ENQUIRE_LINK_RESP');
      record(await call('submit_sm', { ...address, short_message: `Keep-alive ${i}` }));
    }
  } else if (scenario === 'ucs2') {
    record(await call('submit_sm', { ...address, short_message: 'Habari 😀 Ελληνικά' }));
  } else if (scenario === 'concat') {
    const parts = ['First part of a long message. ', 'Second part of it. ', 'And the third.'];
    for (let i = 0; i < parts.length; i++) {
      const udh = Buffer.from([0x05, 0x00, 0x03, 0x7a, parts.length, i + 1]);
      record(await call('submit_sm', { ...address, esm_class: 0x40, short_message: { udh, message: parts[i] } }));
    }
  } else if (scenario === 'burst') {
    const count = Number(countArg), window = Number(windowArg);
    let sent = 0, outstanding = 0;
    await new Promise((resolve) => {
      const pump = () => {
        while (outstanding < window && sent < count) {
          outstanding++;
          sent++;
          session.submit_sm({ ...address, short_message: `Burst ${sent}` }, (pdu) => {
            outstanding--;
            if (pdu.command_status === 0) ok++; else { failed++; console.log(`RESP ${pdu.command_status}`); }
            if (ok + failed === count) resolve(); else pump();
          });
        }
      };
      pump();
    });
  } else {
    fail(`unknown scenario ${scenario}`);
  }

  const unbind = await call('unbind', {});
  if (unbind.command !== 'unbind_resp') fail('no unbind_resp');
  console.log(`DONE ${ok} ${failed}`);
  session.close();
  process.exit(0);
}

run().catch((e) => fail(e.stack));
