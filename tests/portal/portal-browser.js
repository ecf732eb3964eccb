// The customer portal in headless Chromium (Debian's /usr/bin/chromium), driven by puppeteer-core, as a customer on a
// phone-width screen would use it: log-in, a wrong password, keyboard navigation, a send, key rotation, SMPP
// credentials, a forged form (CSRF), log-out and lock-out. Prints one line per check and a closing count; exits 1 on
// any failure.
// Usage: node portal-browser.js <base-url> <email> <password> <sender-id> <max-failures-per-email> [screenshot-dir]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [baseUrl, email, password, senderId, maxFailuresText, shots] = process.argv.slice(2);
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

async function logIn(page, address, secret) {
  await page.goto(`${baseUrl}/portal/login`, { waitUntil: 'load' });
  await page.type('#email', address);
  await page.type('#password', secret);
  return submit(page, 'Log in');
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'taifa-portal-chromium-'));
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
  }

  console.log(`portal: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
