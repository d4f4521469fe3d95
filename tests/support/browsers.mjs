// One way to drive the three browser engines shoppers use, so a test is written once and run in
// each: Chromium (CDP) and Firefox (WebDriver BiDi) through puppeteer-core, WebKitGTK's
// MiniBrowser through its W3C WebDriver (`WebKitWebDriver`, under Xvfb: it needs a display).
// Only what every protocol has: open a page (with storage of its own), run a function or a
// script in it, wait for a condition, press keys, reload, navigate. No request interception
// (plain WebDriver has none): a test that needs the network to fail stops the edge instead. The
// binaries are Debian's, installed by `cargo xtask test`.
import { spawn } from "node:child_process";
import puppeteer from "puppeteer-core";
import { CHROMIUM, CHROMIUM_FLAGS, freePort, until } from "./harness.mjs";

const ALL_ENGINES = ["chromium", "firefox", "webkit"];
/** Every engine; MEMNUN_ENGINES=firefox,webkit narrows a run while working on one. */
export const ENGINES = process.env.MEMNUN_ENGINES ? process.env.MEMNUN_ENGINES.split(",").map((e) => e.trim()) : ALL_ENGINES;
for (const engine of ENGINES) if (!ALL_ENGINES.includes(engine)) throw new Error(`MEMNUN_ENGINES: ${engine} is not one of ${ALL_ENGINES}`);
const FIREFOX = process.env.MEMNUN_FIREFOX || "/usr/bin/firefox-esr";
const WEBKIT_DRIVER = process.env.MEMNUN_WEBKIT_DRIVER || "/usr/bin/WebKitWebDriver";

/**
 * A running browser of `engine`: `{ engine, version, open(url), close() }`. A page is
 * `{ run(fn, ...args), until(what, fn, ...args), inject(source), press(...keys), type(text),
 * reload(), goto(url), close() }`, where `fn` runs in the page (its source is sent, so it may
 * use only its arguments, which must be JSON), `inject` runs a script's source as it is
 * (axe-core), and `press`/`type` are the shopper's keys, sent to whatever has focus as real key
 * events (the key names are puppeteer's: "Enter", "Tab", "ArrowRight", "Space").
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
      // A context of its own: no storage from another page.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width: 390, height: 844 });
      await page.goto(url);
      return pageOf({
        run: (fn, args) => page.evaluate(fn, ...args),
        inject: (source) => page.evaluate(source),
        press: async (keys) => {
          for (const key of keys) await page.keyboard.press(key);
        },
        type: (text) => page.keyboard.type(text),
        reload: () => page.reload(),
        goto: (url) => page.goto(url),
        close: () => context.close(),
      });
    },
    close: () => browser.close(),
  };
}

function pageOf({ run, inject, press, type, reload, goto, close }) {
  return {
    run: (fn, ...args) => run(fn, args),
    until: (what, fn, ...args) => until(what, () => run(fn, args)),
    inject,
    press: (...keys) => press(keys),
    type,
    reload,
    goto,
    close,
  };
}

/** WebDriver's codes of the named keys the tests press (W3C WebDriver, "Keyboard actions"). */
const WEBDRIVER_KEYS = {
  Backspace: "\uE003",
  Tab: "\uE004",
  Enter: "\uE007",
  Escape: "\uE00C",
  Space: "\uE00D",
  ArrowLeft: "\uE012",
  ArrowUp: "\uE013",
  ArrowRight: "\uE014",
  ArrowDown: "\uE015",
};

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
    const keys = (values) =>
      call("POST", `${at}/actions`, {
        actions: [{ type: "key", id: "keyboard", actions: values.flatMap((value) => [{ type: "keyDown", value }, { type: "keyUp", value }]) }],
      });
    return {
      engine: "webkit",
      version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
      async open(url) {
        await call("POST", `${at}/url`, { url });
        return pageOf({
          run,
          inject: (source) => call("POST", `${at}/execute/sync`, { script: `${source};\nreturn null;`, args: [] }),
          press: (names) =>
            keys(
              names.map((name) => {
                const value = WEBDRIVER_KEYS[name] ?? (name.length === 1 ? name : null);
                if (!value) throw new Error(`no WebDriver code for the key ${name}`);
                return value;
              }),
            ),
          type: (text) => keys([...text]),
          reload: () => call("POST", `${at}/refresh`, {}),
          goto: (to) => call("POST", `${at}/url`, { url: to }),
          // WebKitWebDriver has one window: the next page must not find this one's storage.
          close: async () => {
            await run(() => {
              for (const name of ["localStorage", "sessionStorage"]) {
                try {
                  window[name].clear();
                } catch {}
              }
            }, []);
            await call("POST", `${at}/url`, { url: "about:blank" });
          },
        });
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
