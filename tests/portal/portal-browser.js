// The customer portal in headless Chromium (Debian's /usr/bin/chromium), driven by puppeteer-core, as a customer on a
// phone-width screen would use it: log-in, a wrong password, keyboard navigation, sends, the rate card, history
// (filter, pages, CSV download), the delivery chart, the statement (and its CSV), inbound messages and the webhook, the
// opt-out list, key rotation, SMPP credentials, a forged form (CSRF), log-out and lock-out. Prints one line per check
// and a closing count; exits 1 on any failure. The account has had "STOP" from 254711000222 and a message from
// 254702739804 to <inbound-number>.
// Usage: node portal-browser.js <base-url> <email> <password> <sender-id> <max-failures-per-email> <inbound-number> [screenshot-dir]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [baseUrl, email, password, senderId, maxFailuresText, inboundNumber, shots] = process.argv.slice(2);
const maxFailures = Number(maxFailuresText);
let passed = 0;
let failed = 0;

function check(name, condition, detail) {
  if (condition) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail ? `: ${detail}` : ''}`);
  }
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent.trim()).catch(() => '');
}

async function submit(page, buttonText) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.evaluate((label) => {
      const button = [...document.querySelectorAll('main button, header button')].find((b) => b.textContent.trim() === label);
      if (!button) throw new Error(`no button "${label}"`);
      button.click();
    }, buttonText),
  ]);
  return response;
}

async function fitsThePhone(page, name) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(`the ${name} page fits a 390 px wide screen without sideways scrolling`, width <= 390, `${width}`);
}

async function rows(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => Object.fromEntries(
    [...tr.children].map((cell) => [cell.dataset.label, cell.textContent.trim()]))));
}

// Clicks a download link and answers the downloaded file's text, once Chromium has written it whole.
async function download(page, cdp, dir, linkText, fileName) {
  const target = path.join(dir, fileName);
  fs.rmSync(target, { force: true });
  await page.evaluate((label) => {
    const link = [...document.querySelectorAll('main a[download]')].find((a) => a.textContent.trim() === label);
    if (!link) throw new Error(`no download link "${label}"`);
    link.click();
  }, linkText);
  for (let waited = 0; waited < 15000; waited += 100) {
    if (fs.existsSync(target)) return fs.readFileSync(target, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${fileName} was not downloaded within 15 s (${fs.readdirSync(dir).join(', ')})`);
}

async function logIn(page, address, secret) {
  await page.goto(`${baseUrl}/portal/login`, { waitUntil: 'load' });
  await page.type('#email', address);
  await page.type('#password', secret);
  return submit(page, 'Log in');
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'taifa-portal-chromium-'));
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'taifa-portal-downloads-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 1 });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });

    await page.goto(`${baseUrl}/portal/`, { waitUntil: 'load' });
    check('signed out, /portal/ leads to the log-in page', page.url().endsWith('/portal/login'), page.url());
    const labels = await page.$$eval('label', (ls) => ls.map((l) => `${l.htmlFor}:${l.textContent.trim()}`));
    check('the log-in form labels its fields', labels.includes('email:E-mail address') && labels.includes('password:Password'), labels.join(', '));
    await shot(page, 'login');

    let response = await logIn(page, email, 'not the password');
    check('a wrong password is refused with a message read out at once',
      response.status() === 401 && (await text(page, '[role=alert]')).includes('not correct'), `${response.status()}`);

    response = await logIn(page, email, password);
    check('log-in leads to the balance page', page.url() === `${baseUrl}/portal/` && response.status() === 200, page.url());
    check('the balance is shown as text in KES', /^KES \d+\.\d\d$/.test(await text(page, '#balance')), await text(page, '#balance'));
    const session = (await page.cookies()).find((c) => c.name === 'taifa_portal');
    check('the session cookie is HTTP-only and SameSite=Strict', session && session.httpOnly && session.sameSite === 'Strict', JSON.stringify(session));
    check('script cannot read the session cookie', !(await page.evaluate(() => document.cookie)).includes('taifa_portal'));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check('the page fits a 390 px wide screen without sideways scrolling', width <= 390, `${width}`);
    const prices = await rows(page, '#prices');
    check('the rate card shows the price per network and the default',
      prices.length >= 1 && prices.every((row) => /^KES \d+\.\d\d$/.test(row['Price per part'])), JSON.stringify(prices));
    await shot(page, 'balance');
    await page.keyboard.press('Tab');
    check('the first Tab reaches the skip link', (await page.evaluate(() => document.activeElement.textContent)) === 'Skip to content');

    await page.click('nav a[href="/portal/send"]');
    await page.waitForSelector('#mobile');
    await page.type('#mobile', '0702739804');
    await page.select('#sender_name', senderId);
    await page.type('#message', 'Your order 1042 is ready for collection.');
    await shot(page, 'send');
    response = await submit(page, 'Send');
    const summary = await text(page, '[role=status]');
    check('a message is sent and the new balance shown', response.status() === 200 && /^1 of 1 accepted\. Balance now KES \d+\.\d\d\.$/.test(summary), summary);
    await shot(page, 'send-result');

    // Two more numbers, on other networks, so that history has something to filter and to page through.
    await page.goto(`${baseUrl}/portal/send`, { waitUntil: 'load' });
    await page.type('#mobile', '0733123456, 0771234567');
    await page.select('#sender_name', senderId);
    await page.type('#message', 'Your order 1043 has shipped.');
    await submit(page, 'Send');
    check('a send to two numbers accepts both', (await text(page, '[role=status]')).startsWith('2 of 2 accepted.'), await text(page, '[role=status]'));
    await page.goto(`${baseUrl}/portal/`, { waitUntil: 'load' });
    const balanceNow = await text(page, '#balance');

    await page.click('nav a[href="/portal/history"]');
    await page.waitForSelector('#messages');
    let history = await rows(page, '#messages');
    check('history lists the three messages newest first',
      history.map((row) => row.Mobile).join() === '254771234567,254733123456,254702739804', JSON.stringify(history));
    check('each message shows its status and cost', history.every((row) => row.Status === 'queued' || row.Status === 'submitted' || row.Status === 'delivered')
      && history.every((row) => /^KES \d+\.\d\d$/.test(row.Cost)), JSON.stringify(history));
    await fitsThePhone(page, 'history');
    await page.type('#mobile', '0733123456');
    await submit(page, 'Show messages');
    history = await rows(page, '#messages');
    check('the mobile filter keeps only that number', history.length === 1 && history[0].Mobile === '254733123456' && page.url().includes('mobile=0733123456'),
      `${page.url()} ${JSON.stringify(history)}`);
    const csv = await download(page, cdp, downloads, 'Download these messages as CSV', 'messages.csv');
    const csvLines = csv.trimEnd().split('\r\n');
    check('the CSV download holds the header and the filtered message',
      csvLines.length === 2 && csvLines[0].startsWith('message_id,recipient_id,mobile_number,') && csvLines[1].includes(',254733123456,')
      && csvLines[1].startsWith(history[0]['Message ID']), JSON.stringify(csvLines));

    await page.goto(`${baseUrl}/portal/history?limit=2`, { waitUntil: 'load' });
    const firstPage = (await rows(page, '#messages')).map((row) => row.Mobile);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a[rel=next]')]);
    const secondPage = (await rows(page, '#messages')).map((row) => row.Mobile);
    check('paging: two on the first page, the oldest on the next, and no page after it',
      firstPage.join() === '254771234567,254733123456' && secondPage.join() === '254702739804' && (await page.$('a[rel=next]')) === null,
      `${firstPage} | ${secondPage}`);
    check('a later page links back to the newest messages', (await page.$$eval('nav.pages a', (as) => as.map((a) => a.textContent))).includes('Newest messages'));
    await page.goto(`${baseUrl}/portal/history`, { waitUntil: 'load' });
    await shot(page, 'history');

    await page.click('nav a[href="/portal/delivery"]');
    await page.waitForSelector('#delivery-chart');
    const chart = await page.$eval('#delivery-chart', (svg) => ({
      labelled: svg.getAttribute('role') === 'img' && svg.getAttribute('aria-labelledby') === 'delivery-chart-title delivery-chart-desc',
      title: svg.querySelector('title').textContent,
      desc: svg.querySelector('desc').textContent,
      bars: [...svg.querySelectorAll('g.bar')].map((g) => Number(g.dataset.total)),
      segments: [...svg.querySelectorAll('rect[data-count]')].reduce((sum, rect) => sum + Number(rect.dataset.count), 0),
    }));
    check('the delivery chart is an SVG image with a title and a description',
      chart.labelled && chart.title === 'Messages per day over the last 7 days, by status' && chart.desc.startsWith('3 messages in the last 7 days'), JSON.stringify(chart));
    check('the chart has seven bars holding the three messages', chart.bars.length === 7 && chart.bars.reduce((a, b) => a + b, 0) === 3 && chart.segments === 3,
      JSON.stringify(chart));
    const table = await rows(page, '#delivery-table');
    check('the same numbers are in a table', table.length === 7 && table.reduce((sum, row) => sum + Number(row.Total), 0) === 3, JSON.stringify(table));
    await fitsThePhone(page, 'delivery');
    await shot(page, 'delivery');

    await page.click('nav a[href="/portal/statement"]');
    await page.waitForSelector('#entries');
    const entries = await rows(page, '#entries');
    check('the statement lists the opening credit and one debit per message',
      entries.length === 4 && entries[0].Kind === 'credit' && entries.slice(1).every((e) => e.Kind === 'debit' && e.Amount.startsWith('-')), JSON.stringify(entries));
    check('its closing balance is the balance', (await text(page, '#closing-balance')) === balanceNow, `${await text(page, '#closing-balance')} vs ${balanceNow}`);
    await fitsThePhone(page, 'statement');
    const statement = await download(page, cdp, downloads, 'Download this statement as CSV', 'statement.csv');
    const statementLines = statement.trimEnd().split('\n');
    check('the statement CSV holds the same entries, debits as negative numbers',
      statementLines[0] === 'entry_id,time,kind,amount,balance,message_id,reference' && statementLines.length === 5
      && statementLines.slice(2).every((line) => /,debit,-\d+\.\d\d,/.test(line)), JSON.stringify(statementLines));
    await shot(page, 'statement');

    await page.click('nav a[href="/portal/inbound"]');
    await page.waitForSelector('#inbound');
    const inbound = await rows(page, '#inbound');
    check('inbound messages are listed newest first with the opt-out flag',
      inbound.map((row) => `${row.From}>${row.To}:${row['Opt-out']}`).join() === `254702739804>${inboundNumber}:No,254711000222>${inboundNumber}:Yes`
      && inbound[0].Text === 'Habari, is order 1042 ready?' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(inbound[0].Received), JSON.stringify(inbound));
    await page.type('#url', 'http://127.0.0.1/hook');
    response = await submit(page, 'Save webhook');
    check('a private webhook URL is refused with a message read out at once',
      response.status() === 400 && (await text(page, '[role=alert]')).startsWith('The webhook URL must be'), `${response.status()}`);
    await page.$eval('#url', (input) => { input.value = ''; });
    await page.type('#url', 'https://hooks.duka.co.ke/taifa/inbound');
    response = await submit(page, 'Save webhook');
    check('the inbound webhook is saved and shown', response.status() === 200 && (await text(page, '#webhook')) === 'https://hooks.duka.co.ke/taifa/inbound',
      await text(page, '#webhook'));
    await fitsThePhone(page, 'inbound');
    await shot(page, 'inbound');
    await submit(page, 'Remove webhook');
    check('the inbound webhook is removed', (await text(page, '[role=status]')) === 'The inbound webhook was removed.' && (await text(page, '#webhook')).startsWith('No inbound webhook'));

    await page.click('nav a[href="/portal/optouts"]');
    await page.waitForSelector('#optouts');
    check('the STOP sender is on the opt-out list, from an inbound message',
      JSON.stringify((await rows(page, '#optouts')).map((row) => [row.Mobile, row.Source])) === '[["254711000222","inbound"]]', JSON.stringify(await rows(page, '#optouts')));
    await page.type('#mobile', '+254 722 000 111');
    response = await submit(page, 'Add to the opt-out list');
    const optOuts = await rows(page, '#optouts');
    check('a number is added to the opt-out list, normalised, from the portal (api)',
      response.status() === 200 && optOuts.some((row) => row.Mobile === '254722000111' && row.Source === 'api'), JSON.stringify(optOuts));
    await fitsThePhone(page, 'opt-outs');
    await shot(page, 'optouts');
    await page.goto(`${baseUrl}/portal/send`, { waitUntil: 'load' });
    await page.type('#mobile', '0722000111');
    await page.select('#sender_name', senderId);
    await page.type('#message', 'Offer: 10% off this week.');
    await submit(page, 'Send');
    check('a send to the opted-out number is refused with 1017', (await page.$eval('main', (m) => m.textContent)).includes('(1017)'), await text(page, '[role=alert], [role=status]'));
    await page.goto(`${baseUrl}/portal/optouts`, { waitUntil: 'load' });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[aria-label="Remove 254722000111"]')]);
    check('the remove button takes the number off the list', (await text(page, '[role=status]')) === '254722000111 was taken off your opt-out list.'
      && !(await rows(page, '#optouts')).some((row) => row.Mobile === '254722000111'), await text(page, '[role=status]'));

    await page.goto(`${baseUrl}/portal/sender-ids`, { waitUntil: 'load' });
    check('the sender IDs are listed', (await page.$$eval('.sender-ids li', (li) => li.map((e) => e.textContent))).includes(senderId));
    await shot(page, 'sender-ids');

    await page.goto(`${baseUrl}/portal/api-key`, { waitUntil: 'load' });
    response = await submit(page, 'Issue a new API key');
    const key = await text(page, '#new-api-key');
    check('key rotation shows the new key', /^[0-9a-f]{64}$/.test(key), key);
    const units = await (await fetch(`${baseUrl}/v2/sms/units`, { headers: { h_api_key: key } })).json();
    check('the new key works against the REST API', typeof units.credit_balance === 'string', JSON.stringify(units));
    await shot(page, 'api-key');
    await page.goto(`${baseUrl}/portal/api-key`, { waitUntil: 'load' });
    check('the new key is not shown again', !(await page.content()).includes(key));

    await page.goto(`${baseUrl}/portal/smpp`, { waitUntil: 'load' });
    await page.type('#smpp_username', `w${Date.now() % 100000000}`);
    await page.type('#smpp_password', 'pw5678');
    await submit(page, 'Save SMPP credentials');
    check('SMPP credentials are saved', (await text(page, '[role=status]')).startsWith('SMPP credentials saved'));
    await shot(page, 'smpp');

    await page.goto(`${baseUrl}/portal/api-key`, { waitUntil: 'load' });
    await page.$eval('main form input[name=csrf_token]', (input) => { input.value = 'forged'; });
    response = await submit(page, 'Issue a new API key');
    check('a form with a forged anti-forgery token is refused', response.status() === 400 && (await text(page, 'h1')) === 'Form expired', `${response.status()}`);
    const stillWorks = await (await fetch(`${baseUrl}/v2/sms/units`, { headers: { h_api_key: key } })).json();
    check('and nothing changed: the key still works', typeof stillWorks.credit_balance === 'string', JSON.stringify(stillWorks));

    await page.goto(`${baseUrl}/portal/`, { waitUntil: 'load' });
    await submit(page, 'Log out');
    check('log-out says so', (await text(page, '[role=status]')) === 'You have logged out.');
    await page.goto(`${baseUrl}/portal/`, { waitUntil: 'load' });
    check('after log-out the portal asks for a log-in again', page.url().endsWith('/portal/login'), page.url());

    let status = 0;
    for (let attempt = 0; attempt < maxFailures && status !== 429; attempt++) status = (await logIn(page, email, `wrong ${attempt}`)).status();
    check('repeated wrong passwords lock the log-in', status === 429 && (await text(page, '[role=alert]')).startsWith('Too many failed log-ins'), `${status}`);
    response = await logIn(page, email, password);
    check('while locked, even the right password is refused', response.status() === 429 && page.url().endsWith('/portal/login'), `${response.status()}`);
  } catch (error) {
    failed++;
    console.log(`not ok - the run stopped: ${error && error.stack ? error.stack : error}`);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(downloads, { recursive: true, force: true });
  }

  console.log(`portal: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
