'use strict';
// An SMSC nobody here wrote: node-smpp's server, for tests/Taifa.Operators.Tests/InteropTests.cs.
// Accepts any bind, answers submit_sm with a hex message id and, when registered_delivery asks, sends a
// DELIVRD receipt (esm_class 0x04, standard text, receipted_message_id and message_state TLVs) on the same session.
// Prints "LISTENING <port>" once listening on an ephemeral loopback port, then one line per event.
// Mobile-originated messages on request (tests/Taifa.Silo.Tests/Inbound/NodeSmscInboundTests.cs): a stdin line
// "MO <from> <to> <text>" sends a deliver_sm (esm_class 0) to the first bound session, "MO_SAR <from> <to> <ref>
// <total> <seq> <text>" one part with the sar_* TLVs; each prints "MO_ACK <command_status>" (or "MO_ACK none").
// Exits when stdin closes (its parent died) or after --lifetime-ms (default 60000), so it never outlives a test run.
const smpp = require('smpp');

const lifetimeArg = process.argv.indexOf('--lifetime-ms');
const lifetimeMs = lifetimeArg > 0 ? Number(process.argv[lifetimeArg + 1]) : 60000;
let nextId = 0x5a3f00;

function smppDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return pad(date.getFullYear() % 100) + pad(date.getMonth() + 1) + pad(date.getDate()) + pad(date.getHours()) + pad(date.getMinutes());
}

const bound = new Set();

const server = smpp.createServer({}, (session) => {
  const bind = (pdu) => {
    console.log(`BIND ${pdu.command} ${pdu.system_id}`);
    session.send(pdu.response({ system_id: 'NODESMSC' }));
    if (pdu.command !== 'bind_transmitter') {
      bound.add(session);
    }
  };
  session.on('close', () => bound.delete(session));
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
function mobileOriginated(line) {
  const words = line.split(' ');
  const [command, from, to] = words;
  if (command !== 'MO' && command !== 'MO_SAR') {
    return;
  }
  const session = [...bound][0];
  if (!session) {
    console.log('MO_ACK none');
    return;
  }
  const pdu = {
    source_addr: from, source_addr_ton: 1, source_addr_npi: 1,
    destination_addr: to, dest_addr_ton: 0, dest_addr_npi: 1,
    esm_class: 0,
  };
  if (command === 'MO_SAR') {
    pdu.sar_msg_ref_num = Number(words[3]);
    pdu.sar_total_segments = Number(words[4]);
    pdu.sar_segment_seqnum = Number(words[5]);
    pdu.short_message = words.slice(6).join(' ');
  } else {
    pdu.short_message = words.slice(3).join(' ');
  }
  session.deliver_sm(pdu, (resp) => console.log(`MO_ACK ${resp.command_status}`));
}

require('readline').createInterface({ input: process.stdin })
  .on('line', mobileOriginated)
  .on('close', () => process.exit(0));
setTimeout(() => process.exit(0), lifetimeMs).unref();
