// The swarm page: members (this node and a connected friend), invite
// codes with a copy button, revoking, removing after a confirmation.
import { ok, done, launch, withPage, artifacts, diag } from './tap.mjs';

const url = process.argv[2];
const browser = await launch();
try {
  await withPage(browser, async (page, problems) => {
    const res = await page.goto(`${url}#/swarm`, { waitUntil: 'load' });
    ok(res.status() === 200, 'swarm page loads');
    ok(await page.locator('nav a:text("Swarm")').isVisible(), 'the navigation offers the swarm page');
    await page.waitForSelector('li.member', { timeout: 5000 });
    ok(await page.locator('li.member .tag:text("this node")').count() === 1, 'this node is marked');
    await page.waitForSelector('li.member:has-text("Bea") .dot.on', { timeout: 10000 });
    ok(true, 'the joined friend is listed online by name');
    ok(await page.locator('dd:text("espeak-ng")').isVisible(), "this node's engines are shown");
    const speeds = await page.locator('li.member .throughput').allTextContents();
    ok(speeds.length === 2 && speeds.every((t) => t === 'idle'),
      "each member's render throughput is shown (idle: nothing rendered yet)");

    await page.click('button:text("Create invite code")');
    const code = page.locator('textarea.code');
    await code.waitFor({ timeout: 5000 });
    ok((await code.inputValue()).startsWith('gt1-'), 'an invite code is shown');
    ok(await page.locator('button.copy:text("Copy")').isVisible(), 'a copy button is next to it');
    await page.locator('li[data-invite]').first().waitFor({ timeout: 5000 });
    ok(await page.locator('li[data-invite]').count() === 1, 'the open invite is listed');
    await page.screenshot({ path: `${artifacts}swarm.png`, fullPage: true });

    await page.click('li[data-invite] button:text("Revoke")');
    await page.waitForSelector('li.empty:text("No open invites")', { timeout: 5000 });
    ok(true, 'revoking empties the open invites');

    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); d.accept(); });
    await page.click('li.member:has-text("Bea") button:text("Remove")');
    await page.waitForSelector('li.member:has-text("Bea") .tag:text("removed")', { timeout: 5000 });
    ok(/Remove Bea\?/.test(asked), 'removing asks for a confirmation first');
    ok(true, 'the removed member is marked removed');
    await page.screenshot({ path: `${artifacts}swarm-removed.png`, fullPage: true });
    ok(problems.length === 0, 'no console errors or CSP violations');
    if (problems.length) diag(problems.join('\n'));
  });
} finally {
  await browser.close();
}
done();
