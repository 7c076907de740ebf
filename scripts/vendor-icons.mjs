/**
 * `node scripts/vendor-icons.mjs`: copies the integration icons from two devDependencies into
 * public/icons/ (committed, so that the app needs neither package at runtime) and writes
 * public/icons/README.md with each icon's source and licence. Run it again after updating
 * either package; src/integrations/icons.ts says which type shows which icon.
 *
 * - Brands' logos come from simple-icons (CC0 as a collection; an icon with a licence of its
 *   own in simple-icons' data keeps it, and the README records it), in the brand's colour.
 * - Types whose brand simple-icons lacks (Slack, Microsoft Teams, Pushover, YouTrack, Bugzilla)
 *   and brands whose licence forbids this use show their category's generic icon from
 *   lucide-static (ISC), in the muted text colour of public/app.css.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'public', 'icons');
/** @param {string} name */
const packageFolder = (name) => join(ROOT, 'node_modules', name);
/** @param {string} file */
const readJson = (file) => /** @type {unknown} */ (JSON.parse(readFileSync(file, 'utf8')));
/** @param {string} name */
const versionOf = (name) =>
  /** @type {{ version: string }} */ (readJson(join(packageFolder(name), 'package.json'))).version;

/**
 * An icon's entry in simple-icons' data.
 * @typedef {{ slug: string, title: string, hex: string, source: string, license?: { type: string, url?: string } }} Brand
 */

/** Output name -> simple-icons slug. Webex is left out: its logo's licence (Cisco's trademark policy) asks for written permission. */
const BRANDS = {
  datadog: 'datadog',
  discord: 'discord',
  googlechat: 'googlechat',
  jenkins: 'jenkins',
  jira: 'jira',
  mattermost: 'mattermost',
  redmine: 'redmine',
  telegram: 'telegram',
};

/** Output name (an integration category) -> lucide icon. */
const GENERIC = {
  chat: 'message-square',
  ci: 'workflow',
  email: 'mail',
  'issue-tracker': 'circle-dot',
  monitoring: 'activity',
  notification: 'bell',
  wiki: 'book-open',
};

/** --color-text-muted in public/app.css: an <img> cannot inherit the text colour. */
const GENERIC_COLOUR = '#535158';

const simpleIcons = packageFolder('simple-icons');
const lucide = packageFolder('lucide-static');
const brandData = /** @type {Brand[] | { icons: Brand[] }} */ (
  readJson(join(simpleIcons, 'data', 'simple-icons.json'))
);
const brands = Array.isArray(brandData) ? brandData : brandData.icons;

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const credits = [];
for (const [name, slug] of Object.entries(BRANDS)) {
  const brand = brands.find((icon) => icon.slug === slug);
  if (!brand) throw new Error(`simple-icons has no icon "${slug}"`);
  const svg = readFileSync(join(simpleIcons, 'icons', `${slug}.svg`), 'utf8').replace(
    '<svg ',
    `<svg fill="#${brand.hex}" `,
  );
  writeFileSync(join(OUT, `${name}.svg`), svg.endsWith('\n') ? svg : `${svg}\n`);
  const licence = brand.license
    ? `${brand.license.type}${brand.license.url ? ` (${brand.license.url})` : ''}`
    : 'CC0-1.0';
  credits.push(
    `| ${name}.svg | ${brand.title} logo, simple-icons ${versionOf('simple-icons')} \`${slug}\`; drawn from ${brand.source} | ${licence} |`,
  );
}
for (const [name, icon] of Object.entries(GENERIC)) {
  const svg = readFileSync(join(lucide, 'icons', `${icon}.svg`), 'utf8').replace(
    'stroke="currentColor"',
    `stroke="${GENERIC_COLOUR}"`,
  );
  writeFileSync(join(OUT, `${name}.svg`), svg);
  credits.push(`| ${name}.svg | lucide-static ${versionOf('lucide-static')} \`${icon}\` | ISC (below) |`);
}

const lucideLicence = readFileSync(join(lucide, 'LICENSE'), 'utf8').split('\n---')[0].trim();
writeFileSync(
  join(OUT, 'README.md'),
  `# Integration icons

Written by \`node scripts/vendor-icons.mjs\` from the devDependencies simple-icons and lucide-static; do
not edit by hand. \`src/integrations/icons.ts\` says which integration shows which icon. Each is
decorative (shown next to the integration's name) and one colour: the brand's, as simple-icons
records it, or the muted text colour for the generic icons.

| File | Source | Licence |
| --- | --- | --- |
${credits.join('\n')}

Simple Icons is released under CC0-1.0; an icon with a licence of its own in its data keeps that
licence (the CC BY-SA logos above are shared under the same licence, unchanged but for the colour).
The logos are trademarks of their owners, shown only to name the integration; see
https://github.com/simple-icons/simple-icons/blob/develop/DISCLAIMER.md. Webex is not here:
its licence in simple-icons' data is Cisco's trademark policy, which asks for written permission
to use the logo, so Webex shows the generic chat icon.

## lucide-static

${lucideLicence}
`,
);
process.stdout.write(`Wrote ${credits.length} icons to ${OUT}\n`);
