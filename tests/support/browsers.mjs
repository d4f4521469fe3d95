// One way to drive the three browser engines shoppers use, so a test is written once and run in
// each: Chromium (CDP) and Firefox (WebDriver BiDi) through puppeteer-core, WebKitGTK's
// MiniBrowser through its W3C WebDriver (`WebKitWebDriver`, under Xvfb: it needs a display).
// Only what every protocol has: open a page, run a function in it, wait for a condition. No
// request interception (plain WebDriver has none): a test that needs the network to fail stops
// the edge instead. The binaries are Debian's, installed by `cargo xtask test`.
import { spawn } from "node:child_process";
import puppeteer from "puppeteer-core";
import { CHROMIUM, CHROMIUM_FLAGS, freePort, until } from "./harness.mjs";

export const ENGINES = ["chromium", "firefox", "webkit"];
const FIREFOX = process.env.MEMNUN_FIREFOX || "/usr/bin/firefox-esr";
const WEBKIT_DRIVER = process.env.MEMNUN_WEBKIT_DRIVER || "/usr/bin/WebKitWebDriver";

/**
 * A running browser of `engine`: `{ engine, version, open(url), close() }`. A page is
 * `{ run(fn, ...args), until(what, fn, ...args), close() }`, where `fn` runs in the page (its
 * source is sent, so it may use only its arguments, which must be JSON).
 */
export async function launchEngine(engine) {
  if (engine === "webkit") return launchWebKit();
  const browser = await puppeteer.launch(
    engine === "firefox"
      ? { browser: "firefox", executablePath: FIREFOX, headless: true }
      : { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS },
  );
  return {
    engine,
    version: await browser.version(),
    async open(url) {
      const page = await browser.newPage();
      await page.setViewport({ width: 390, height: 844 });
      await page.goto(url);
      return pageOf((fn, args) => page.evaluate(fn, ...args), () => page.close());
    },
    close: () => browser.close(),
  };
}

function pageOf(run, close) {
  return {
    run: (fn, ...args) => run(fn, args),
    until: (what, fn, ...args) => until(what, () => run(fn, args)),
    close,
  };
}

async function launchWebKit() {
  const port = await freePort();
  // Its own process group, so Xvfb and the browser go with the driver.
  const driver = spawn("xvfb-run", ["-a", "-s", "-screen 0 1280x1024x24", WEBKIT_DRIVER, `--port=${port}`], {
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise((done) => driver.once("exit", done));
  const stop = async () => {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {}
    await exited;
  };
  const call = async (method, path, body) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebKitWebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  };
  try {
    await until("WebKitWebDriver ready", () => call("GET", "/status").then((s) => s.ready, () => false));
    const session = await call("POST", "/session", {
      capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { args: ["--automation"] } } },
    });
    const at = `/session/${session.sessionId}`;
    await call("POST", `${at}/window/rect`, { width: 390, height: 844 });
    const run = (fn, args) => call("POST", `${at}/execute/sync`, { script: `return (${fn}).apply(null, arguments)`, args });
    return {
      engine: "webkit",
      version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
      async open(url) {
        await call("POST", `${at}/url`, { url });
        return pageOf(run, () => call("POST", `${at}/url`, { url: "about:blank" }));
      },
      async close() {
        await call("DELETE", at).catch(() => {});
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
