// A stand-in for the email providers memnun sends through, speaking each one's documented HTTP
// API exactly as far as memnun uses it, so the edge's real sending code runs end to end:
//
// - Resend, `POST /emails` (resend.com/docs/api-reference/emails/send-email): `Authorization:
//   Bearer re_…`, a `User-Agent` (Resend answers 403 without one), JSON `from`, `to` (a list or a
//   string), `subject`, `html`/`text`, `headers`, `tags`; 200 `{ "id" }`; errors as
//   `{ statusCode, name, message }`. An `Idempotency-Key` is kept 24 hours: the same key and body
//   again answers the first id and sends nothing; another body under it answers 409
//   `invalid_idempotent_request`.
// - Postmark, `POST /email` (postmarkapp.com/developer/api/email-api): `X-Postmark-Server-Token`,
//   `Accept` and `Content-Type` `application/json`, PascalCase `From`, `To`, `Subject`,
//   `HtmlBody`/`TextBody`, `Headers` as `[{ Name, Value }]`; 200 `{ To, SubmittedAt, MessageID,
//   ErrorCode: 0, Message: "OK" }`; 401 `{ ErrorCode: 10 }` without a token; 422
//   `{ ErrorCode, Message }`.
//
// A test scripts the answers to come (`answerNext`): a 429 with `Retry-After`, a 422, a delay.
// `GET /` lists what was sent as a page (the demo's inbox); `GET /messages.json` as JSON.
import http from "node:http";
import { randomUUID } from "node:crypto";

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export class EmailCapture {
  constructor() {
    /** Every message a provider took: { provider, id, from, to, subject, html, text, headers, tags, idempotencyKey, at }. */
    this.sent = [];
    /** Every request, taken or not: { provider, status, headers, body }. */
    this.requests = [];
    this.scripted = [];
    this.idempotency = new Map();
    this.waiters = [];
  }

  static async start({ port = 0 } = {}) {
    const capture = new EmailCapture();
    capture.server = http.createServer((req, res) => capture.handle(req, res));
    await new Promise((resolve) => capture.server.listen(port, "127.0.0.1", resolve));
    capture.url = `http://127.0.0.1:${capture.server.address().port}`;
    return capture;
  }

  async stop() {
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next requests get these answers, in order: { status, body, headers, delayMs }. */
  answerNext(...answers) {
    this.scripted.push(...answers);
  }

  reset() {
    this.sent = [];
    this.requests = [];
    this.scripted = [];
    this.idempotency.clear();
  }

  /** Resolves once `n` requests have arrived (whatever their answers). */
  requestsReach(n) {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, this.url);
    if (req.method === "GET" && url.pathname === "/messages.json") return this.reply(res, 200, this.sent);
    if (req.method === "GET" && url.pathname === "/") return this.page(res);
    const provider = req.method === "POST" && url.pathname === "/emails" ? "resend" : req.method === "POST" && url.pathname === "/email" ? "postmark" : null;
    if (!provider) return this.reply(res, 404, { message: "not found" });
    const record = { provider, headers: req.headers, body: raw, status: 0 };
    this.requests.push(record);
    for (const w of this.waiters.filter((w) => this.requests.length >= w.n)) w.resolve();
    this.waiters = this.waiters.filter((w) => this.requests.length < w.n);
    const scripted = this.scripted.shift();
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    const [status, body, headers] = scripted?.status ? [scripted.status, scripted.body ?? {}, scripted.headers ?? {}] : provider === "resend" ? this.resend(req, raw) : this.postmark(req, raw);
    record.status = status;
    this.reply(res, status, body, headers);
  }

  resend(req, raw) {
    const error = (statusCode, name, message) => [statusCode, { statusCode, name, message }];
    if (!/^Bearer re_\S+$/.test(req.headers.authorization ?? "")) return error(401, "missing_api_key", "Missing API key in the authorization header.");
    if (!req.headers["user-agent"]) return error(403, "validation_error", "User-Agent header is required.");
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return error(422, "validation_error", "Content-Type must be application/json.");
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(400, "validation_error", "Invalid JSON.");
    }
    for (const field of ["from", "to", "subject"]) if (!body[field]) return error(422, "missing_required_field", `Missing \`${field}\` field.`);
    if (!body.html && !body.text) return error(422, "missing_required_field", "Missing `html` or `text` field.");
    const to = Array.isArray(body.to) ? body.to : [body.to];
    if (to.length > 50) return error(422, "validation_error", "Too many recipients.");
    const key = req.headers["idempotency-key"];
    if (key) {
      if (key.length > 256) return error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
      const seen = this.idempotency.get(key);
      if (seen && seen.body !== raw) return error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
      if (seen) return [200, { id: seen.id }];
    }
    const id = randomUUID();
    if (key) this.idempotency.set(key, { body: raw, id });
    this.sent.push({ provider: "resend", id, from: body.from, to, subject: body.subject, html: body.html, text: body.text, headers: body.headers ?? {}, tags: body.tags ?? [], replyTo: body.reply_to, idempotencyKey: key, at: new Date().toISOString() });
    return [200, { id }];
  }

  postmark(req, raw) {
    const error = (status, ErrorCode, Message) => [status, { ErrorCode, Message }];
    if (!req.headers["x-postmark-server-token"]) return error(401, 10, "Request does not contain a valid Server token.");
    if (req.headers.accept !== "application/json" || !(req.headers["content-type"] ?? "").startsWith("application/json")) return error(415, 0, "Accept and Content-Type must be application/json.");
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(422, 402, "Received invalid JSON input.");
    }
    if (!body.From) return error(422, 300, "Invalid 'From' address: ''.");
    if (!body.To) return error(422, 300, "Invalid 'To' address: ''.");
    if (!body.HtmlBody && !body.TextBody) return error(422, 300, "Provide either email TextBody or HtmlBody or both.");
    const id = randomUUID();
    const headers = Object.fromEntries((body.Headers ?? []).map((h) => [h.Name, h.Value]));
    this.sent.push({ provider: "postmark", id, from: body.From, to: String(body.To).split(","), subject: body.Subject, html: body.HtmlBody, text: body.TextBody, headers, tags: body.Tag ? [{ name: "tag", value: body.Tag }] : [], replyTo: body.ReplyTo, trackOpens: body.TrackOpens, at: new Date().toISOString() });
    return [200, { To: body.To, SubmittedAt: new Date().toISOString(), MessageID: id, ErrorCode: 0, Message: "OK" }];
  }

  reply(res, status, body, headers = {}) {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  page(res) {
    const rows = this.sent
      .slice()
      .reverse()
      .map((m) => `<article><h2>${escape(m.subject)}</h2><p>${escape(m.provider)} · ${escape(m.at)} · to ${escape(m.to.join(", "))} · from ${escape(m.from)}</p>` +
        `<details open><summary>HTML</summary><iframe sandbox srcdoc="${escape(m.html ?? "")}"></iframe></details>` +
        `<details><summary>Text</summary><pre>${escape(m.text ?? "")}</pre></details>` +
        `<details><summary>Headers</summary><pre>${escape(JSON.stringify(m.headers, null, 2))}</pre></details></article>`)
      .join("");
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>memnun demo inbox</title>` +
      `<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em}iframe{width:100%;height:28em;border:1px solid #ccc}article{border-bottom:1px solid #ddd;padding:1em 0}</style></head>` +
      `<body><h1>What the demo shop sent</h1><p>${this.sent.length} message(s). The edge sends through the providers' APIs; this server stands in for them.</p>${rows || "<p>Nothing yet.</p>"}</body></html>`);
  }
}
