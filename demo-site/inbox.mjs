// The demo's inbox: a stand-in for the email providers (the same capture server the tests use,
// speaking Resend's and Postmark's APIs), so the demo shop's review requests are really sent by
// the edge and can be read at http://127.0.0.1:8025/.
// `node demo-site/inbox.mjs --port 8025`.
import { parseArgs } from "node:util";
import { EmailCapture } from "../tests/support/email-capture.mjs";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const capture = await EmailCapture.start({ port: Number(values.port ?? 8025) });
console.log(`demo inbox on ${capture.url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => capture.stop().then(() => process.exit(0)));
