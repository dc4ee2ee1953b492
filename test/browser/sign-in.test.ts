/**
 * A meshtrace run with `--auth-token`: the page loads without the token, asks for it, and once
 * given it shows the data; a wrong token is refused with a message saying so.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_MISSING, HAVE_CHROMIUM, screenshot, withDashboard } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

const suite = HAVE_CHROMIUM ? describe : describe.skip;
const TOKEN = 'dashboard-token-0123456789';

suite(HAVE_CHROMIUM ? 'dashboard behind --auth-token' : CHROMIUM_MISSING, () => {
  const f = withDashboard(() => startTestServer(['--auth-token', TOKEN]));

  it('asks for the token, refuses a wrong one, and shows the overview with the right one', async () => {
    const { page } = f.w;
    await page.goto(`${f.site.origin}/#/`);
    await page.getByLabel('Access token').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');

    await page.getByLabel('Access token').fill('not-the-token-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('was refused');

    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('body[data-ready="overview"]', { timeout: 15_000 });
    expect(await page.getByLabel('Access token').count()).toBe(0);
  });

  it('kept to its origin and the CSP', async () => {
    expect(f.w.foreignRequests).toEqual([]);
    expect(await f.w.cspViolations()).toEqual([]);
  });
});
