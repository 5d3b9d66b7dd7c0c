/**
 * Edit distance with adjacent transpositions (optimal string alignment), so that the usual
 * slips of a hand typing a key (a dropped, doubled, swapped or wrong letter) each cost one.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);

  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + substitution,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }

  return previous[b.length] ?? 0;
}

/** Words people reach for from other schedulers, mapped to this format's key. */
const SYNONYMS: Readonly<Record<string, string>> = {
  cron: 'schedule',
  command: 'run',
  cmd: 'run',
  script: 'run',
  name: 'id',
  tz: 'timezone',
  jobs: 'patrols',
  policy: 'concurrency',
  disabled: 'enabled',
  cwd: 'working-directory',
};

/**
 * The known key `typed` most likely stands for, or undefined when none is close enough to be
 * a helpful guess. Case, '-' and '_' are ignored first, so `catch_up` and `maxCatchUp` match.
 */
export function suggestKey(typed: string, known: readonly string[]): string | undefined {
  const squashed = squash(typed);
  const same = known.find((key) => squash(key) === squashed);
  if (same !== undefined) return same;

  const synonym = SYNONYMS[squashed];
  if (synonym !== undefined && known.includes(synonym)) return synonym;

  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const distance = editDistance(squashed, squash(key));
    if (distance < bestDistance && distance <= tolerance(key)) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The closest of `known` to `typed`, ignoring case, for values such as zones; `slips` says
 * how far a value may be from what was typed and still be a helpful guess.
 */
export function suggestValue(
  typed: string,
  known: Iterable<string>,
  slips: (value: string) => number = tolerance,
): string | undefined {
  const lower = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const value of known) {
    const distance = editDistance(lower, value.toLowerCase());
    if (distance < bestDistance && distance <= slips(value)) {
      best = value;
      bestDistance = distance;
    }
  }
  return best;
}

// One slip in a short word, one in three letters in a longer one: beyond that a guess
// points somewhere the user did not mean more often than not.
export function tolerance(word: string): number {
  return Math.max(1, Math.floor(word.length / 3));
}

function squash(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}
