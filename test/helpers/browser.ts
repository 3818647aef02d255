// Debian's chromium, driven headless by playwright-core (which downloads no browser of its own).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The path of the `chromium` command, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  try {
    const p = execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return p || undefined;
  } catch { return undefined; }
}

export const MISSING_CHROMIUM = 'the chromium command is not installed (Debian: apt-get update && apt-get install -y chromium; ' +
  '.ci/run does this) and INFLIGHT_REQUIRE_BROWSER=1 says the browser test must run';

/** A headless browser with a throwaway profile; close() also removes the profile. */
export async function launch(executablePath: string, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'inflight-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}
