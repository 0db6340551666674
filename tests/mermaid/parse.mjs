// Reads a JSON array of Mermaid diagrams on stdin and prints, for each, the
// diagram type mermaid.parse() found or the first line of its parse error.
// mermaid needs a DOM to load, even to parse: jsdom provides one.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    out.push({ ok: true, type: parsed.diagramType });
  } catch (err) {
    out.push({ ok: false, error: String((err && err.message) || err).split("\n")[0] });
  }
}
process.stdout.write(JSON.stringify(out));
