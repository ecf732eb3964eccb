'use strict';
// An SMSC nobody here wrote: node-smpp's server, for tests/Taifa.Operators.Tests/InteropTests.cs.
// Accepts any bind, answers submit_sm with a hex message id and, when registered_delivery asks, sends a
// DELIVRD receipt (esm_class 0x04, standard text, receipted_message_id and message_state TLVs) on the same session.
// Prints "LISTENING <port>" once listening on an ephemeral loopback port, then one line per event.
// Exits when stdin closes (its parent died) or after --lifetime-ms (default 60000), so it never outlives a test run.
const smpp = require('smpp');

const lifetimeArg = process.argv.indexOf('--lifetime-ms');
const lifetimeMs = lifetimeArg > 0 ? Number(process.argv[lifetimeArg + 1]) : 60000;
let nextId = 0x5a3f00;

function smppDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return pad(date.getFullYear() % 100) + pad(date.getMonth() + 1) + pad(date.getDate()) + pad(date.getHours()) + pad(date.getMinutes());
}

const server = smpp.createServer({}, (session) => {
  const bind = (pdu) => {
    console.log(`BIND ${pdu.command} ${pdu.system_id}`);
    session.send(pdu.response({ system_id: 'NODESMSC' }));
  };
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('bind_receiver', bind);
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    console.log('UNBIND');
    session.send(pdu.response());
    session.close();
  });
  session.on('submit_sm', (pdu) => {
    const id = (nextId++).toString(16).toUpperCase();
    const submitted = new Date();
    console.log(`SUBMIT ${id} ${pdu.destination_addr}`);
    session.send(pdu.response({ message_id: id }));
    if ((pdu.registered_delivery & 0x03) === 0) {
      return;
    }
    setTimeout(() => {
      const text = `id:${id} sub:001 dlvrd:001 submit date:${smppDate(submitted)} done date:${smppDate(new Date())} stat:DELIVRD err:000 text:`;
      session.deliver_sm({
        source_addr: pdu.destination_addr,
        source_addr_ton: pdu.dest_addr_ton,
        source_addr_npi: pdu.dest_addr_npi,
        destination_addr: pdu.source_addr,
        dest_addr_ton: pdu.source_addr_ton,
        dest_addr_npi: pdu.source_addr_npi,
        esm_class: 0x04,
        short_message: text,
        receipted_message_id: id,
        message_state: 2,
      }, (resp) => console.log(`RECEIPT_ACK ${id} ${resp.command_status}`));
    }, 200);
  });
  session.on('error', (e) => console.log(`SESSION_ERROR ${e.message}`));
});

server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), lifetimeMs).unref();
