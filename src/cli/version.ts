// `claims --version`: the version is package.json's, read where the binary lives, so a copy of the
// tree reports its own and there is no second number to keep in step.
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}\n`;
}
