// Serves the demo shop's pages as a merchant's server would: the edge URL filled in where the
// pages say __MEMNUN_EDGE__, and a strict Content-Security-Policy (no 'unsafe-inline', no
// eval; only the edge origin and 'wasm-unsafe-eval' added), the one the README tells merchants.
// Used by `cargo xtask demo` and by the browser tests.
import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml", ".js": "text/javascript" };

export function contentSecurityPolicy(edge) {
  return [
    "default-src 'self'",
    `script-src 'self' ${edge} 'wasm-unsafe-eval'`,
    `connect-src 'self' ${edge}`,
    "style-src 'self'",
    // Review photos come from the edge; the form shows a shopper's chosen photos as data: URLs.
    `img-src 'self' ${edge} data:`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/** Starts the site on 127.0.0.1:port (0: any free port); resolves to the http.Server.
 * `headScript`, a same-origin script's path, goes first into every page's `<head>` (the
 * cross-engine tests' probe: a WebDriver session has no script of its own that runs first). */
export function startSite({ port = 0, edge, roots, headScript }) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://x");
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith("/")) rel += "index.html";
      for (const root of roots) {
        const file = path.join(root, path.normalize(rel));
        if (!file.startsWith(root)) break;
        const body = await fs.readFile(file).catch(() => null);
        if (!body) continue;
        const type = TYPES[path.extname(file)] || "application/octet-stream";
        const headers = { "Content-Type": type, "Cache-Control": "no-store" };
        if (type.startsWith("text/html")) {
          headers["Content-Security-Policy"] = contentSecurityPolicy(edge);
          res.writeHead(200, headers);
          let html = body.toString("utf8").replaceAll("__MEMNUN_EDGE__", edge);
          if (headScript) html = html.replace("<head>", `<head>\n  <script src="${headScript}"></script>`);
          return res.end(html);
        }
        res.writeHead(200, headers);
        return res.end(body);
      }
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
    } catch (error) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(error));
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
  const here = path.dirname(fileURLToPath(import.meta.url));
  const server = await startSite({ port: Number(arg("--port")), edge: arg("--edge"), roots: [here] });
  console.log(`demo site on http://127.0.0.1:${server.address().port}/`);
}
