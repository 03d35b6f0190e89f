#!/usr/bin/env node
// The compliance officer's click path through a running aigovd's web view,
// in Debian's headless Chromium driven by playwright-core (no downloaded
// browser): the system list, a system's report, and a finding's evidence
// entry with its inclusion proof. Screenshots of each page are written to
// the artefact directory.
//
// Usage: click_path.js BASE_URL SYSTEM_ID ARTIFACT_DIR
// Prints one JSON object describing what it saw on stdout; exits non-zero
// (with the reason on stderr) when a page fails to load or a step has
// nothing to click. Judging what it saw is the caller's job
// (tests/integration/report_test.cc).
'use strict';

const path = require('path');
const {chromium} = require(
    process.env.AIGOV_PLAYWRIGHT_CORE ||
    path.join(__dirname, '../../tools/browser/node_modules/playwright-core'));

async function main() {
  const [base, system, artifacts] = process.argv.slice(2);
  if (!base || !system || !artifacts) {
    console.error('usage: click_path.js BASE_URL SYSTEM_ID ARTIFACT_DIR');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.AIGOV_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const seen = {dialogs: [], console_errors: [], steps: []};
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    // A script smuggled into a record would show up as a dialog or run.
    page.on('dialog', async (d) => {
      seen.dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') seen.console_errors.push(m.text());
    });

    // 1. The list of systems.
    let response = await page.goto(`${base}/compliance`);
    seen.steps.push({
      url: page.url(),
      status: response.status(),
      title: await page.title(),
      h1: await page.locator('h1').first().innerText(),
      subtitle: await page.locator('p.subtitle').first().innerText(),
      columns: await page.locator('th').allInnerTexts(),
    });
    await page.screenshot({
      path: path.join(artifacts, '1-compliance.png'),
      fullPage: true,
    });

    // 2. Click the system: its report.
    await Promise.all([
      page.waitForURL(`**/compliance/systems/${system}`),
      page.getByRole('link', {name: system, exact: true}).click(),
    ]);
    const sections = await page.locator('section > h2').allInnerTexts();
    const stop = await page.locator('#s8').innerText();
    const downloads = [];
    for (const a of await page.locator('nav.downloads a').all()) {
      downloads.push({href: await a.getAttribute('href'),
                      text: await a.innerText()});
    }
    seen.steps.push({
      url: page.url(),
      title: await page.title(),
      sections,
      scripts: await page.locator('script').count(),
      oversight_text: stop,
      downloads,
      // The status cells of the summary and the obligations, as shown.
      statuses: await page.locator(
          '#s1 td.violated, #s1 td.at_risk, #s1 td.pending, ' +
          '#s3 td.violated, #s3 td.satisfied, #s3 td.not_applicable')
          .allInnerTexts(),
    });
    await page.screenshot({
      path: path.join(artifacts, '2-system-report.png'),
      fullPage: true,
    });

    // 3. Click the first evidence entry of a finding (section 3).
    const link = page.locator('#s3 a.seq').first();
    const href = await link.getAttribute('href');
    const linkText = await link.innerText();
    await Promise.all([page.waitForURL(`**${href}`), link.click()]);
    const body = await page.locator('body').innerText();
    seen.steps.push({
      url: page.url(),
      clicked: {href, text: linkText},
      title: await page.title(),
      sections: await page.locator('section > h2').allInnerTexts(),
      leaf_hash: (body.match(/Leaf hash\s+([0-9a-f]{64})/) || [])[1] || '',
    });
    await page.screenshot({
      path: path.join(artifacts, '3-evidence-entry.png'),
      fullPage: true,
    });

    // Back to the list through the breadcrumb.
    await Promise.all([
      page.waitForURL('**/compliance'),
      page.locator('nav.crumbs a', {hasText: 'Compliance'}).click(),
    ]);
    seen.steps.push({url: page.url()});
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen) + '\n');
}

main().catch((e) => {
  console.error(`click_path: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
