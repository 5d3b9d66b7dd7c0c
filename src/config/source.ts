import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair, YAMLError } from 'yaml';

import { lowerFirst } from './problems.js';
import type { SourceProblem } from './types.js';

/** A path into the table as zod reports it: keys and list indexes. */
export type DataPath = readonly PropertyKey[];

/** Where on a path a problem belongs: the value written, or the key that names it. */
export type Anchor = 'value' | 'key';

/** What reading the YAML found: the data, or why there is none worth checking. */
export interface ReadResult {
  data: unknown;
  /** False when the text is too broken for further checks to say anything true. */
  checkable: boolean;
  errors: SourceProblem[];
  warnings: SourceProblem[];
}

/**
 * The parsed YAML document of one table file, and the way back from a piece of data to the
 * line and column it was written at.
 */
export class TableSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  private readonly text: string;
  private readonly lines = new LineCounter();

  constructor(text: string, file: string) {
    this.file = file;
    this.text = text;
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: true,
      uniqueKeys: true,
    });
  }

  /** A problem at a character offset into the text. */
  problemAt(offset: number, message: string): SourceProblem {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col, message };
  }

  /** A problem at a node; the start of the file when there is none (an empty document). */
  problemAtNode(node: Node | null | undefined, message: string): SourceProblem {
    return this.problemAt(node?.range?.[0] ?? 0, message);
  }

  /**
   * A problem at the node `path` leads to. Where the path leaves the file (a missing key) it
   * lands on the nearest node that exists, which is the mapping that lacks the key.
   */
  problemAtPath(path: DataPath, message: string, anchor: Anchor = 'value'): SourceProblem {
    return this.problemAtNode(this.nodeAt(path, anchor), message);
  }

  /** The node at `path`, or the deepest node on the way there. */
  nodeAt(path: DataPath, anchor: Anchor = 'value'): Node | null {
    let node: Node | null = this.doc.contents;

    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = findPair(node.items, segment);
        if (pair === undefined) return node;
        if (last && anchor === 'key') return asNode(pair.key) ?? node;
        node = valueOrKey(pair) ?? node;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = asNode(node.items[segment]);
        if (item === null) return node;
        node = item;
      } else {
        // A scalar or an alias: the path goes on inside data written elsewhere (an anchor),
        // and the alias is the place in this text that put it there.
        return node;
      }
    }

    return node;
  }

  /** The 1-based line a node starts on. */
  lineOf(node: Node): number {
    return this.lines.linePos(node.range?.[0] ?? 0).line;
  }

  /** The document as plain data, with the syntax problems found on the way. */
  read(): ReadResult {
    const errors = this.doc.errors.map((e) => this.fromYamlError(e));
    const warnings = this.doc.warnings.map((e) => this.fromYamlError(e));
    errors.push(...this.danglingAliases());

    // After a syntax error the parser goes on by guessing; checking its guess would report
    // problems that are not in the file. A repeated key leaves a well-formed document.
    const checkable =
      this.doc.errors.every((e) => e.code === 'DUPLICATE_KEY') &&
      errors.length === this.doc.errors.length;
    if (!checkable) return { data: undefined, checkable, errors, warnings };

    try {
      return { data: this.doc.toJS(), checkable, errors, warnings };
    } catch (error: unknown) {
      // The yaml library refuses documents that expand aliases without bound.
      const reason = error instanceof Error ? error.message : String(error);
      errors.push(this.problemAt(0, `cannot read the file as data: ${lowerFirst(reason)}`));
      return { data: undefined, checkable: false, errors, warnings };
    }
  }

  private fromYamlError(error: YAMLError): SourceProblem {
    const offset = error.pos[0];
    switch (error.code) {
      case 'DUPLICATE_KEY':
        return this.problemAt(offset, duplicateKeyMessage(this.keyTextAt(offset)));
      case 'MULTIPLE_DOCS':
        return this.problemAt(
          offset,
          'a second YAML document starts here; a patrol table is a single document ' +
            '(remove the `---` line and what follows, or merge it into the first)',
        );
      case 'MISSING_CHAR':
        return this.problemAt(
          offset,
          lowerFirst(withoutPosition(error.message)).replace(
            /closing (["'])quote/,
            'the closing $1 of a quoted string',
          ),
        );
      default:
        return this.problemAt(offset, lowerFirst(withoutPosition(error.message)));
    }
  }

  private danglingAliases(): SourceProblem[] {
    const problems: SourceProblem[] = [];
    visit(this.doc, {
      Alias: (_key, alias) => {
        if (alias.resolve(this.doc) === undefined) {
          problems.push(
            this.problemAtNode(
              alias,
              `alias *${alias.source} refers to no anchor &${alias.source} defined before it`,
            ),
          );
        }
      },
    });
    return problems;
  }

  private keyTextAt(offset: number): string {
    const rest = this.text.slice(offset);
    const match = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:,{}[\]\n]*)/.exec(rest);
    return (match?.[1] ?? '').trim();
  }
}

function findPair(items: Pair[], segment: PropertyKey): Pair | undefined {
  return items.find((pair) => {
    const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
    return String(key) === String(segment);
  });
}

// An empty value (`run:` and nothing after) is a zero-width node at the end of the line;
// the key is where a reader looks for it.
function valueOrKey(pair: Pair): Node | null {
  const value = asNode(pair.value);
  if (value !== null && !isEmptyScalar(value)) return value;
  return asNode(pair.key) ?? value;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

function asNode(value: unknown): Node | null {
  if (isMap(value) || isSeq(value) || isScalar(value) || isAlias(value)) return value;
  if (isPair(value)) return asNode(value.key);
  return null;
}

function duplicateKeyMessage(key: string): string {
  const named = key === '' ? 'duplicate key' : `duplicate key \`${key}\``;
  return `${named}; a key may appear only once in a mapping`;
}

/** The yaml library appends " at line L, column C:" and a source excerpt; we print our own. */
function withoutPosition(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
}
