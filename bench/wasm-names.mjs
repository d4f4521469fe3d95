// The size of each function in a wasm module, with its name from the name section: what
// BENCHMARKS.md compares between two builds (`node bench/wasm-names.mjs target/memnun-widgets/
// split-product/glue.wasm`, before and after, then the names sorted and compared).
import fs from "node:fs";
const b = fs.readFileSync(process.argv[2]); let i = 8;
const leb = () => { let r = 0, s = 0, x; do { x = b[i++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return r >>> 0; };
const str = () => { const n = leb(); const s = b.slice(i, i + n).toString(); i += n; return s; };
let nimports = 0; const sizes = []; const names = {};
while (i < b.length) {
  const id = b[i++]; const len = leb(); const start = i;
  if (id === 2) { const n = leb(); for (let k = 0; k < n; k++) { str(); str(); const kind = b[i++]; if (kind === 0) { leb(); nimports++; } else if (kind === 1) { i++; const f = b[i++]; leb(); if (f & 1) leb(); } else if (kind === 2) { const f = b[i++]; leb(); if (f & 1) leb(); } else if (kind === 3) { i++; i++; } } }
  if (id === 10) { const n = leb(); for (let k = 0; k < n; k++) { const l = leb(); sizes.push(l); i += l; } }
  if (id === 0) { const nm = str(); if (nm === "name") { while (i < start + len) { const sub = b[i++]; const sl = leb(); const ss = i; if (sub === 1) { const n = leb(); for (let k = 0; k < n; k++) { const idx = leb(); names[idx] = str(); } } i = ss + sl; } } }
  i = start + len;
}
const out = sizes.map((s, k) => [names[k + nimports] ?? `f${k + nimports}`, s]);
for (const [n, s] of out) console.log(s + "\t" + n);
