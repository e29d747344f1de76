// The status page as a person sees it, in Debian's headless Chromium: targets, modules, check titles and
// their statuses after a real probe and a real scheduled run, a working debug link, and nothing a
// hostile finding could inject. Screenshot: test-output/status-page.png.

import { existsSync, mkdirSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { CHECKS } from "../../checks/index.js";
import { REMOTE_CATEGORIES } from "../../src/exporter/config.js";
import { renderStatusPage } from "../../src/exporter/status-page.js";
import { describeRig } from "../support/rig-gate.js";
import { get, startInProcess, tempDir, writeConfig, type InProcess } from "./_support.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = new URL("../../test-output/status-page.png", import.meta.url).pathname;

(existsSync(CHROMIUM) ? describeRig : describeRig.skip)("status page in a real browser", () => {
  let s: InProcess;
  let browser: Browser;

  beforeAll(async () => {
    const dir = tempDir("status-page");
    const file = writeConfig(
      dir,
      "matrix-doctor.yaml",
      `targets: [example.test, "127.0.0.9:1"]
modules: { federation: {}, tls: { checks: [tls], timeout: 2s } }
schedule: { cron: "0 0 1 1 *", checks: [tls-handshake, tls-expiry], timeout: 10s }
local: { server_name: example.test }
`,
    );
    s = await startInProcess(["--config", file]);
    // Fill the page: a healthy probe, a failing one (nothing listens on 127.0.0.9:1), the scheduled run.
    expect((await get(`${s.url}/probe?target=example.test&module=federation`)).status).toBe(200);
    expect((await get(`${s.url}/probe?target=127.0.0.9:1&module=tls`)).status).toBe(200);
    await s.exporter.triggerScheduledRun();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.exporter.close(2_000);
  });

  it("shows targets, modules, check titles and statuses, and links to the debug probe", { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${s.url}/`);
    expect(await page.title()).toBe("matrix-doctor exporter");
    await expect(page.getByRole("heading", { name: "matrix-doctor exporter" }).isVisible()).resolves.toBe(true);

    // The targets table: one row per target and module, with the verdict of the last probe.
    const rows = page.locator("table.targets tbody tr");
    expect(await rows.count()).toBe(4);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent?.trim() ?? "")));
    expect(cells.find((c) => c[0] === "example.test" && c[1] === "federation")![3]).toMatch(/^healthy \d+ pass$/);
    expect(cells.find((c) => c[0] === "127.0.0.9:1" && c[1] === "tls")![3]).toMatch(/^problems found .*fail/);
    expect(cells.find((c) => c[0] === "example.test" && c[1] === "tls")![3]).toBe("not run yet");

    // The findings of the healthy probe: check titles with their status, as text a person reads.
    const section = page.locator("h3", { hasText: "example.test · module federation" });
    await expect(section.isVisible()).resolves.toBe(true);
    const checks = page.locator("table.checks").first();
    const firstRows = await checks.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText.replace(/\s+/g, " ").trim()));
    expect(firstRows.length).toBeGreaterThan(25);
    expect(firstRows.every((r) => r.startsWith("✓ pass"))).toBe(true);
    expect(firstRows.some((r) => r.includes("federation-keys-signatures"))).toBe(true);
    const text = await page.locator("body").innerText();
    for (const check of CHECKS.filter((c) => REMOTE_CATEGORIES.includes(c.category))) expect(text).toContain(check.title);
    expect(text).toMatch(/✗ fail/);
    expect(text).toMatch(/Scheduled server-side checks/);
    expect(text).toMatch(/example\.test\s+healthy · cron 0 0 1 1 \*/);

    await page.screenshot({ path: (mkdirSync(new URL("../../test-output/", import.meta.url), { recursive: true }), SCREENSHOT), fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // The debug link runs a probe and shows its log.
    await page.locator('a[href="probe?target=example.test&module=tls&debug=true"]').click();
    const debug = await page.locator("body").innerText();
    expect(debug).toMatch(/^Logs for the probe:/);
    expect(debug).toMatch(/Module configuration:\nname: tls/);
    await page.close();
  });

  it("renders hostile findings and names as text, never as markup", async () => {
    const evil = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>"'&`;
    const html = renderStatusPage({
      version: "1",
      startedAt: new Date(),
      reload: { ok: false, error: evil },
      targets: [evil],
      modules: [{ name: "m", checks: [evil], timeoutSeconds: 1, count: 1 }],
      defaultModule: "m",
      lastProbe: () => ({
        startedAt: new Date().toISOString(),
        durationMs: 1,
        success: false,
        summary: { pass: 0, warn: 0, fail: 1, skip: 0, error: 0 },
        checks: [{ id: evil, title: evil, category: "tls", status: "fail", summary: evil }],
      }),
    });
    const page = await browser.newPage();
    await page.setContent(html);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("img, script").count()).toBe(0);
    const text = await page.locator("body").innerText();
    expect(text.split(evil).length - 1).toBeGreaterThanOrEqual(5);
    expect(await page.locator(`a[href^="probe?target=${encodeURIComponent(evil)}"]`).count()).toBe(1);
    await page.close();
  });
});
