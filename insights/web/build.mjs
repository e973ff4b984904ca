// Builds dist/insights.js: Chart.js (from node_modules, installed by `npm ci`) and the page's
// script (src/insights.js) in one function scope, and copies the stylesheet to
// dist/insights.css. The insights page loads both; the offline report (insights/report.py)
// inlines them. No network at run time.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const chartDir = join(here, "node_modules", "chart.js");
const chartVersion = JSON.parse(readFileSync(join(chartDir, "package.json"), "utf8")).version;
if (!chartVersion.startsWith("4.")) throw new Error(`chart.js 4.x expected, not ${chartVersion}`);

const chart = readFileSync(join(chartDir, "dist", "chart.umd.min.js"), "utf8")
  .replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
const page = readFileSync(join(here, "src", "insights.js"), "utf8");
const own = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const bundle = `/*! ${own.name} ${own.version}: charts of the clinic's insights.
 * Includes Chart.js ${chartVersion} (MIT License, (c) Chart.js Contributors) with @kurkle/color. */
(function () {
var module = { exports: {} }, exports = module.exports, define;
${chart}
var Chart = module.exports;
${page}
})();
`;
if (/<\/script/i.test(bundle)) throw new Error("the bundle must not contain </script: the report inlines it");
mkdirSync(join(here, "dist"), { recursive: true });
writeFileSync(join(here, "dist", "insights.js"), bundle);
copyFileSync(join(here, "src", "insights.css"), join(here, "dist", "insights.css"));
console.log(`insights/web/dist/insights.js built (${Math.round(bundle.length / 1024)} KiB, Chart.js ${chartVersion})`);
