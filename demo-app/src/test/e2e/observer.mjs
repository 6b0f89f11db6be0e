// Drives the demo's observer page in a real browser (Debian's chromium through playwright-core):
// waits for the supervision tree, bumps the counter, crashes it with the page's own "crash" button,
// and checks that the page shows the restart (restarts 1, running again, value back to 0) and that
// its timeline gained the crash and the restart under the root supervisor; checks the counter's
// calls/s sparkline fills; that the page never polls (everything is pushed over its SSE feed).
// Also publishes a message through the page's form and waits for it to come back over the page's
// SSE stream. Saves a screenshot.
//
//   node observer.mjs <page url> <screenshot.png>
//
// Exit code 0 when every check passed; 1 with a message otherwise. CHROMIUM_PATH overrides
// /usr/bin/chromium. Nothing is downloaded: playwright-core only drives the browser it is given.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node observer.mjs <page url> <screenshot.png>');
  process.exit(64);
}
const STEP_TIMEOUT_MS = 15_000;
// The whole run is bounded too, whatever hangs.
setTimeout(() => { console.error('observer.mjs: gave up after 90 s'); process.exit(3); }, 90_000).unref();

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const userDataDir = await mkdtemp(join(tmpdir(), 'rusm-observer-'));
const log = (...a) => console.log('[observer]', ...a);

const counterField = (field) => `[data-service="counter"] [data-field="${field}"]`;

/** Waits until the element's trimmed text equals `expected` (the page re-renders the tree every second). */
async function waitForText(page, selector, expected, what) {
  try {
    await page.waitForFunction(([sel, exp]) => document.querySelector(sel)?.textContent.trim() === exp,
      [selector, String(expected)], { timeout: STEP_TIMEOUT_MS, polling: 50 });
  } catch (e) {
    const actual = await page.locator(selector).first().textContent().catch(() => '(absent)');
    throw new Error(`${what}: expected "${expected}" in ${selector}, page shows "${actual}"`);
  }
  log(`${what}: ${selector} = ${expected}`);
}

let context;
const pageErrors = [];
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1600, height: 600 },
    deviceScaleFactor: 1,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') log('console error:', m.text()); });
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));

  await page.goto(url, { waitUntil: 'domcontentloaded' });

  // 1. the tree is there, with the counter running and never restarted
  await page.locator('[data-service="counter"]').waitFor();
  await waitForText(page, counterField('state'), 'running', 'counter is up');
  await waitForText(page, counterField('restarts'), '0', 'no restarts yet');
  await waitForText(page, '#health', 'rusm UP', 'health');

  // 2. give the counter some state through the page's own button
  await page.locator('#call-counter').click();
  await waitForText(page, '#counter', '1', 'after one bump');
  await page.locator('#call-counter').click();
  await waitForText(page, '#counter', '2', 'after two bumps');
  const incarnationBefore = Number(await page.locator(counterField('incarnation')).textContent());

  // 2b. the calls show up in the counter's calls/s sparkline, pushed once a second
  for (let i = 0; i < 5; i++) await page.locator('#call-counter').click();
  await page.waitForFunction(() => {
    const spark = document.querySelector('[data-service="counter"] [data-spark="rate"]');
    return spark && Number(spark.dataset.points) >= 2
      && [...spark.querySelectorAll('polyline')].some((p) => p.getAttribute('points').split(' ').length >= 2);
  }, null, { timeout: STEP_TIMEOUT_MS, polling: 100 });
  log('sparkline: counter calls/s has points');
  const eventsBefore = await page.locator('#events [data-event]').count();

  // 3. crash it: the supervisor restarts it with fresh state, and the page shows it
  await page.locator('#crash-counter').click();
  await waitForText(page, counterField('restarts'), '1', 'restart counted');
  await waitForText(page, counterField('state'), 'running', 'running again');
  await waitForText(page, '#counter', '0', 'state reset');
  const incarnationAfter = Number(await page.locator(counterField('incarnation')).textContent());
  if (!(incarnationAfter > incarnationBefore)) {
    throw new Error(`incarnation did not advance: ${incarnationBefore} -> ${incarnationAfter}`);
  }
  log(`incarnation ${incarnationBefore} -> ${incarnationAfter}`);
  await waitForText(page, '#health', 'rusm UP', 'health after the crash');

  // 3b. the timeline gained the crash and the restart, in the root supervisor's lane
  await page.locator('#events [data-event="crash"][data-child="counter"][data-supervisor="rusm"]').first().waitFor();
  await page.locator('#events [data-event="restart"][data-child="counter"][data-supervisor="rusm"]').first().waitFor();
  await page.locator('[data-lane="rusm"] circle.mark.crash').first().waitFor({ state: 'attached' });
  const eventsAfter = await page.locator('#events [data-event]').count();
  if (!(eventsAfter >= eventsBefore + 2)) throw new Error(`timeline did not gain the crash and restart: ${eventsBefore} -> ${eventsAfter}`);
  log(`timeline gained events: ${eventsBefore} -> ${eventsAfter}`);

  // a few more for the screenshot: a crash in the edge supervisor's lane, some load on the cache
  await page.locator('#crash-hub').click();
  await page.locator('#events [data-event="restart"][data-child="hub"][data-supervisor="edge"]').first().waitFor();
  for (let i = 0; i < 5; i++) await page.locator('#call-cache').click();

  // 4. the page's SSE stream: publish through the form, see it arrive in the log
  await page.waitForFunction(() => document.getElementById('sse-state')?.textContent.startsWith('subscribed'),
    null, { timeout: STEP_TIMEOUT_MS });
  const message = 'hello from a real browser';
  await page.locator('#payload').fill(message);
  await page.locator('#publish button').click();
  await page.waitForFunction((m) => [...document.querySelectorAll('#log div')].some((d) => d.textContent.endsWith(m)),
    message, { timeout: STEP_TIMEOUT_MS });
  log('published message came back over SSE');

  if (pageErrors.length) throw new Error('uncaught errors in the page: ' + pageErrors.join('; '));
  const polled = requests.filter((p) => p === '/actuator/rusm');
  if (polled.length) throw new Error(`the page polled /actuator/rusm ${polled.length} times; it must only listen to its feed`);
  log('not polled: the tree came only over /api/observer/events');

  await mkdir(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  log('screenshot saved to', screenshot);
} catch (e) {
  console.error('observer.mjs FAILED:', e?.message ?? e);
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}
