/**
 * The layers of src/ and who may import whom (docs/ARCHITECTURE.md draws the same picture).
 * Each folder lists the folders below it that it may use; anything else is an error, which also
 * rules out cycles between folders. Tools (cli, report, bench, serve) sit on the public entry points.
 */
const LAYERS = {
  core: [],
  backend: ['core'],
  image: ['core'],
  metrics: ['core'],
  nn: ['core'],
  io: ['core', 'nn'],
  synthetic: ['core', 'image'],
  visualize: ['core', 'image'],
  data: ['core', 'image'],
  backbones: ['core', 'io', 'nn'],
  methods: ['core', 'io', 'nn', 'image', 'backbones'],
  fitting: ['core', 'image', 'metrics', 'nn', 'io', 'methods', 'synthetic'],
  engine: ['core', 'io', 'nn', 'methods'],
  api: ['core', 'backend', 'image', 'metrics', 'nn', 'io', 'backbones', 'methods', 'fitting', 'visualize', 'engine'],
};
const TOOLS = ['cli', 'report', 'bench', 'serve'];
const ENTRIES = 'src/(index|index\\.node|node)\\.ts$';
/**
 * Public entry points of a tool: `danflow/serve` (src/serve.ts) re-exports src/serve/ and nothing
 * else, so the library entries never load Fastify, BullMQ or a Redis client.
 */
const TOOL_ENTRIES = 'src/serve\\.ts$';

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only ${allowed.length ? allowed.join(', ') : 'external packages'} (and itself).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: `^src/(${[layer, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'tools-use-the-public-api',
      comment: 'cli, report, bench and serve are built on the public entry points (and core helpers), never on internals.',
      severity: 'error',
      from: { path: `^src/(${TOOLS.join('|')})/` },
      to: { path: '^src/', pathNot: [`^src/(${TOOLS.join('|')}|core)/`, `^${ENTRIES}`] },
    },
    {
      name: 'core-never-imports-tools',
      comment: 'The library (everything but the tools) must not depend on a tool or on a tool entry.',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${TOOLS.join('|')})/`, `^${TOOL_ENTRIES}`] },
      to: { path: [`^src/(${TOOLS.join('|')})/`, `^${TOOL_ENTRIES}`] },
    },
    {
      name: 'tool-entries-reexport-their-tool',
      comment: 'src/serve.ts (danflow/serve) is the public face of src/serve/ and imports nothing else.',
      severity: 'error',
      from: { path: `^${TOOL_ENTRIES}` },
      to: { path: '^src/', pathNot: '^src/serve/' },
    },
    {
      name: 'entries-only-from-tools',
      comment: 'Inside the library nothing imports the public entry points (they import the library).',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${TOOLS.join('|')})/`, `^${ENTRIES}`] },
      to: { path: `^${ENTRIES}` },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between files either.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.browser\\.ts$' },
  },
};
