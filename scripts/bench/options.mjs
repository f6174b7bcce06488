// Command line of `npm run bench` (scripts/bench.mjs). Pure: no file or browser access, so
// tests/node/bench.test.mjs can check it.

export const PARTS = ['corpus', 'cold', 'scaling', 'observer', 'bundle'];

/** Scaling pages: flat pages of N elements, and one nested page (`deep`) N levels deep. */
export const SCALING_SIZES = {
  '1k': { kind: 'flat', elements: 1_000 },
  '10k': { kind: 'flat', elements: 10_000 },
  '100k': { kind: 'flat', elements: 100_000 },
  '1m': { kind: 'flat', elements: 1_000_000 },
  'deep100k': { kind: 'deep', depth: 100_000 },
  'deep10k': { kind: 'deep', depth: 10_000 },
};
export const FULL_SIZES = ['1k', '10k', '100k', '1m', 'deep100k'];
export const QUICK_SIZES = ['1k', '10k', '100k', 'deep10k'];

export const USAGE = `usage: npm run bench -- [--corpus DIR] [--out FILE.json] [--quick] [--only PARTS] [--sizes LIST] [--docs]
       npm run bench -- --from FILE.json --docs        (rewrite the generated figures from a saved run)
  --corpus DIR    pages to time (default ../shared/corpus/dev beside the repository)
  --out FILE      write the full results as JSON
  --quick         a fast subset for development: 20 corpus pages, no 1M / 100k-deep page, 2 s observer
  --only PARTS    comma list of ${PARTS.join(', ')} (default: all)
  --sizes LIST    scaling pages, comma list of ${Object.keys(SCALING_SIZES).join(', ')}
  --docs          rewrite the generated section of docs/PERFORMANCE.md and README.md's headline line from this run
  --from FILE     measure nothing: load results saved by --out (use with --docs)`;

export function parseArguments(argv) {
  const options = {
    corpus: null, out: null, quick: false, only: [...PARTS], sizes: null, docs: false, from: null, help: false,
  };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = () => {
      if (index + 1 >= argv.length || argv[index + 1].startsWith('--')) throw new Error(`${argument} needs a value`);
      return argv[++index];
    };
    if (argument === '--corpus') options.corpus = value();
    else if (argument === '--out') options.out = value();
    else if (argument === '--quick') options.quick = true;
    else if (argument === '--only') options.only = list(value(), PARTS, '--only');
    else if (argument === '--sizes') options.sizes = list(value(), Object.keys(SCALING_SIZES), '--sizes');
    else if (argument === '--docs') options.docs = true;
    else if (argument === '--readme') throw new Error('--readme is now --docs: the figures live in docs/PERFORMANCE.md (README.md keeps a headline line)');
    else if (argument === '--from') options.from = value();
    else if (argument === '--help' || argument === '-h') options.help = true;
    else throw new Error(`unknown argument ${argument}`);
  }
  options.sizes ??= options.quick ? [...QUICK_SIZES] : [...FULL_SIZES];
  if (options.from && (options.corpus || options.out || options.quick || options.sizes.join() !== FULL_SIZES.join()
      || options.only.length !== PARTS.length)) {
    throw new Error('--from measures nothing: it only goes with --docs');
  }
  if (options.from && !options.docs) throw new Error('--from needs --docs (it only rewrites the generated figures)');
  return options;
}

function list(text, allowed, flag) {
  const items = text.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);
  if (items.length === 0) throw new Error(`${flag} needs at least one of ${allowed.join(', ')}`);
  for (const item of items) if (!allowed.includes(item)) throw new Error(`${flag}: unknown ${item} (one of ${allowed.join(', ')})`);
  return [...new Set(items)];
}
