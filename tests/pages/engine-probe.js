// The cross-engine tests' probe, first in every page's <head> (engines.test.mjs): it hears what a
// WebDriver session cannot (script errors, console errors, CSP violations, whether a module was
// compiled while it streamed in, what each beacon carried), and `?probe=…` in the page's address makes this browser one the
// widgets must also work in: `storage-throws` (a private window, or storage blocked),
// `no-random-uuid` (a shop served over plain http).
(() => {
  const heard = (window.memnunProbe = { errors: [], violations: [], streamed: 0 });
  addEventListener("error", (e) => heard.errors.push(String(e.message || e.error)));
  addEventListener("unhandledrejection", (e) => heard.errors.push(`unhandled rejection: ${e.reason}`));
  addEventListener("securitypolicyviolation", (e) => heard.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  const consoleError = console.error;
  console.error = (...args) => {
    heard.errors.push(args.map(String).join(" "));
    consoleError.apply(console, args);
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) {
    WebAssembly.instantiateStreaming = function (...args) {
      return streaming.apply(this, args).then((compiled) => {
        heard.streamed += 1;
        return compiled;
      });
    };
  }
  // The ids of the events each beacon carried, kept across this tab's next page (a beacon
  // leaves as its page goes): the test looks for exactly these at the edge.
  const beacon = navigator.sendBeacon;
  navigator.sendBeacon = function (url, data) {
    const sent = beacon.call(navigator, url, data);
    try {
      const ids = JSON.parse(data).events.map((e) => e.id);
      sessionStorage.setItem("memnun-probe:beacons", JSON.stringify([...JSON.parse(sessionStorage.getItem("memnun-probe:beacons") || "[]"), ...ids]));
    } catch {}
    return sent;
  };
  const asked = new URLSearchParams(location.search).getAll("probe");
  if (asked.includes("storage-throws")) {
    for (const name of ["localStorage", "sessionStorage"]) {
      Object.defineProperty(window, name, {
        get() {
          throw new DOMException("The operation is insecure.", "SecurityError");
        },
      });
    }
  }
  if (asked.includes("no-random-uuid")) delete Crypto.prototype.randomUUID;
})();
