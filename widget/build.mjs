// Builds dist/chat-widget.js: socket.io-client (from node_modules, installed by `npm ci`), the
// stylesheet and the widget, in one function scope so that the page gets no globals but
// window.ClinicChat. No network at run time: the page loads this one file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const clientDir = join(here, "node_modules", "socket.io-client");
const clientPath = join(clientDir, "dist", "socket.io.min.js");
const clientVersion = JSON.parse(readFileSync(join(clientDir, "package.json"), "utf8")).version;
if (!clientVersion.startsWith("4.")) throw new Error(`socket.io-client 4.x expected, not ${clientVersion}`);

const client = readFileSync(clientPath, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
const css = readFileSync(join(here, "src", "widget.css"), "utf8");
const widget = readFileSync(join(here, "src", "widget.js"), "utf8");
const own = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const bundle = `/*! ${own.name} ${own.version}: website chat widget for the Rasa assistant.
 * Includes socket.io-client ${clientVersion} (MIT License, (c) Guillermo Rauch). */
(function () {
var module = { exports: {} }, exports = module.exports, define;
${client}
var io = module.exports;
var WIDGET_CSS = ${JSON.stringify(css)};
${widget}
})();
`;
mkdirSync(join(here, "dist"), { recursive: true });
writeFileSync(join(here, "dist", "chat-widget.js"), bundle);
console.log(`widget/dist/chat-widget.js built (${Math.round(bundle.length / 1024)} KiB, socket.io-client ${clientVersion})`);
