// A user at a real browser, for `bqbroker login`: run by the CLI as $BROWSER with the
// authorization URL as its only argument. It opens the URL in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), answers the consent page when there is one
// (picks an account, clicks Allow or Deny), follows the redirect to the daemon's loopback page,
// screenshots that page, and appends one JSON line to $BQB_E2E_RESULT:
//   {"done":true,"ok":true,"consent_form":bool,"title":…,"accounts":[…],"picked":EMAIL|null,
//    "consent_screenshot":PATH (the consent page, account picked),
//    "final_url_origin":…,"heading":…,"text":…,"screenshot":PATH}
// or {"done":true,"ok":false,"error":MESSAGE,"screenshot":PATH|null} when a step failed.
// The CLI starts the browser with stdout/stderr on /dev/null, so the result file is the only
// channel back to the test; it is written with one append so a reader never sees half a line.
//
// Settings (environment, passed through by the CLI):
//   BQB_E2E_RESULT      file to append the result line to (required)
//   BQB_E2E_SCREENSHOT  PNG path for the page the browser ends on (required)
//   BQB_E2E_ANSWER      "allow" or "deny" (default allow)
//   BQB_E2E_ACCOUNT     0-based index of the account radio to pick (default 0)
//   BQB_E2E_PROFILE     Chromium user-data directory (private to the test; required)
//   BQB_E2E_TIMEOUT_MS  bound of every browser step (default 15000)
//   BQB_E2E_CHROMIUM    the browser binary (default /usr/bin/chromium)
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// playwright-core is installed from tests/node's lockfile (`npm ci` there; scripts/test.sh does).
const { chromium } = createRequire(new URL('../node/package.json', import.meta.url))(
  'playwright-core');

const env = process.env;
const resultFile = env.BQB_E2E_RESULT;
const screenshot = env.BQB_E2E_SCREENSHOT;
const profile = env.BQB_E2E_PROFILE;
const answer = env.BQB_E2E_ANSWER ?? 'allow';
const accountIndex = Number(env.BQB_E2E_ACCOUNT ?? '0');
const timeout = Number(env.BQB_E2E_TIMEOUT_MS ?? '15000');
const executablePath = env.BQB_E2E_CHROMIUM ?? '/usr/bin/chromium';
const authUrl = process.argv[2];

function report(result) {
  appendFileSync(resultFile, JSON.stringify({ done: true, ...result }) + '\n');
}

if (!resultFile || !screenshot || !profile || !authUrl) {
  const message =
    'usage: BQB_E2E_RESULT=F BQB_E2E_SCREENSHOT=P BQB_E2E_PROFILE=D browser_consent.mjs URL';
  if (resultFile) report({ ok: false, error: message, screenshot: null });
  console.error(message);
  process.exit(2);
}
if (answer !== 'allow' && answer !== 'deny') {
  report({ ok: false, error: `BQB_E2E_ANSWER must be allow or deny, not ${answer}` });
  process.exit(2);
}

// The consent page's contract (the emulator's): a form#consent posting to the consent endpoint,
// one radio input[name=account] per account (value = email), button#allow and button#deny.
const kConsentForm = 'form#consent';

let context;
let page;
let result;
try {
  // A persistent context on a private profile: nothing of the machine's own Chromium profile is
  // read or written. --no-sandbox: Chromium's sandbox cannot start as root in a container.
  // Off the session bus and with its own password store, the browser leaves the test's keyring
  // (scripts/with-keyring.sh) alone and starts no accessibility bus; headless, it needs no display.
  const browserEnv = { ...process.env };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) {
    delete browserEnv[name];
  }
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    timeout,
    env: browserEnv,
    args: [
      '--no-sandbox',
      '--no-first-run',
      '--no-default-browser-check',
      '--password-store=basic',
    ],
  });
  context.setDefaultTimeout(timeout);
  context.setDefaultNavigationTimeout(timeout);
  page = context.pages()[0] ?? (await context.newPage());
  result = await consentAndLand(page);
} catch (e) {
  let shot = null;
  if (page) {
    shot = screenshot.replace(/\.png$/, '') + '-error.png';
    await page.screenshot({ path: shot, fullPage: true }).catch(() => (shot = null));
  }
  result = { ok: false, error: String(e?.message ?? e), url: page?.url() ?? null, screenshot: shot };
  process.exitCode = 1;
}
// Closed before reporting: the test removes the profile directory once it has the report.
await context?.close().catch(() => {});
report(result);

/// Opens the authorization URL, answers the consent page when there is one, and describes the
/// page the browser lands on (after screenshotting it).
async function consentAndLand(page) {
  await page.goto(authUrl, { waitUntil: 'load' });
  const authOrigin = new URL(authUrl).origin;
  const result = { ok: true, consent_form: false, accounts: [], picked: null };
  // Without a consent form (a server that consents by itself) the first navigation already
  // redirected to the loopback page.
  if (new URL(page.url()).origin === authOrigin && (await page.locator(kConsentForm).count()) > 0) {
    result.consent_form = true;
    result.title = await page.title();
    const radios = page.locator(`${kConsentForm} input[type=radio][name=account]`);
    result.accounts = await radios.evaluateAll((els) => els.map((e) => e.value));
    result.first_checked = await radios.first().isChecked();
    if (accountIndex >= result.accounts.length) {
      throw new Error(
        `the consent page lists ${result.accounts.length} accounts; cannot pick #${accountIndex}`);
    }
    await radios.nth(accountIndex).check();
    result.picked = result.accounts[accountIndex];
    // The page as the user leaves it: the picked account checked.
    result.consent_screenshot = screenshot.replace(/\.png$/, '') + '-consent.png';
    await page.screenshot({ path: result.consent_screenshot, fullPage: true });
    // The click submits the form; the answer is a redirect to the daemon's loopback listener.
    await Promise.all([
      page.waitForURL((url) => url.origin !== authOrigin, { waitUntil: 'load' }),
      page.locator(`${kConsentForm} button#${answer}`).click(),
    ]);
  }
  const landed = new URL(page.url());
  result.final_url_origin = landed.origin;
  result.final_url_path = landed.pathname;
  result.heading = (await page.locator('h1').first().textContent())?.trim() ?? null;
  result.text = (await page.locator('body').innerText()).trim();
  await page.screenshot({ path: screenshot, fullPage: true });
  result.screenshot = screenshot;
  return result;
}
