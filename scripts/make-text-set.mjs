// Writes examples/data/text-set.json: a small labelled text set for the text-classifier example,
// made from sentence templates by a seeded generator (no download; the same file every run).
// Four topics (weather, sport, food, computing); sentences of 4 to 15 words share filler words,
// adjectives and half the verbs, and a quarter of the nouns come from another topic, so a model
// must weigh several words, and some sentences stay ambiguous (a test accuracy near 90%, not 100%).
// Usage: node scripts/make-text-set.mjs [count] (default 480)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const TOPICS = {
  weather: {
    nouns: ['rain', 'snow', 'wind', 'storm', 'fog', 'sunshine', 'cloud', 'frost', 'thunder', 'forecast'],
    verbs: ['falls', 'clears', 'arrives', 'lingers', 'drifts', 'returns'],
  },
  sport: {
    nouns: ['match', 'goal', 'team', 'coach', 'league', 'striker', 'referee', 'season', 'final', 'stadium'],
    verbs: ['wins', 'scores', 'defends', 'trains', 'loses', 'celebrates'],
  },
  food: {
    nouns: ['soup', 'bread', 'cheese', 'recipe', 'kitchen', 'pasta', 'oven', 'salad', 'dessert', 'chef'],
    verbs: ['bakes', 'simmers', 'tastes', 'roasts', 'serves', 'seasons'],
  },
  computing: {
    nouns: ['server', 'compiler', 'laptop', 'network', 'database', 'kernel', 'browser', 'program', 'memory', 'cache'],
    verbs: ['crashes', 'compiles', 'restarts', 'updates', 'loads', 'encrypts'],
  },
};

// Shared by every topic: adjectives, and half of the verbs.
const ADJECTIVES = ['big', 'new', 'old', 'good', 'bad', 'long', 'early', 'late', 'strange', 'quiet'];
const VERBS = ['is', 'seems', 'looks', 'starts', 'ends', 'changes', 'appears', 'stays'];
const FILLER = [
  'the',
  'a',
  'this',
  'our',
  'today',
  'again',
  'very',
  'quite',
  'and',
  'then',
  'after',
  'before',
  'with',
  'near',
  'every',
  'morning',
  'night',
  'people',
  'said',
  'that',
];

const TEMPLATES = [
  ['det', 'adjective', 'noun', 'verb'],
  ['det', 'noun', 'verb', 'filler', 'det', 'noun'],
  ['filler', 'det', 'adjective', 'noun', 'verb', 'filler', 'filler'],
  ['det', 'noun', 'and', 'det', 'noun', 'verb', 'filler', 'filler', 'filler'],
  ['filler', 'filler', 'det', 'adjective', 'adjective', 'noun', 'verb', 'with', 'det', 'noun', 'filler'],
  ['people', 'said', 'that', 'det', 'noun', 'verb', 'filler', 'det', 'adjective', 'noun', 'filler', 'filler', 'filler'],
  [
    'det',
    'noun',
    'verb',
    'filler',
    'filler',
    'det',
    'noun',
    'verb',
    'filler',
    'det',
    'adjective',
    'noun',
    'filler',
    'filler',
    'filler',
  ],
];

/** mulberry32: a small seeded generator, so the file is the same on every machine. */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(topic, random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = TOPICS[topic];
  // A quarter of the nouns come from another topic: distractor words.
  const others = Object.keys(TOPICS).filter((name) => name !== topic);
  return pick(TEMPLATES).map((slot) => {
    if (slot === 'det') return pick(['the', 'a', 'this', 'our']);
    if (slot === 'filler') return pick(FILLER);
    if (slot === 'noun') return random() < 0.25 ? pick(TOPICS[pick(others)].nouns) : pick(words.nouns);
    if (slot === 'verb') return random() < 0.5 ? pick(VERBS) : pick(words.verbs);
    if (slot === 'adjective') return pick(ADJECTIVES);
    return slot;
  });
}

const count = Number(process.argv[2] ?? 480);
const random = generator(20240601);
const labels = Object.keys(TOPICS);
const examples = Array.from({ length: count }, (_, index) => {
  const label = index % labels.length;
  return { text: sentence(labels[label], random).join(' '), label };
});
// Shuffle once (Fisher-Yates) so that a split by position has every topic.
for (let index = examples.length - 1; index > 0; index--) {
  const other = Math.floor(random() * (index + 1));
  [examples[index], examples[other]] = [examples[other], examples[index]];
}
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'data', 'text-set.json');
mkdirSync(dirname(target), { recursive: true });
// Laid out as the repository's formatter lays out JSON, so `prettier --check` passes on the file.
writeFileSync(target, await prettier.format(JSON.stringify({ labels, examples }), { parser: 'json' }));
console.log(`wrote ${examples.length} sentences in ${labels.length} topics to ${target}`);
