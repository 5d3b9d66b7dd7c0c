/**
 * The refs of one repository, with every value each ref ever had and when (on the
 * emulator's clock), so a fault can answer a read as it would have been `ageMs` ago:
 * GitHub serves cached GETs up to a minute old.
 */

export interface RefChange {
  at: Date;
  /** `null` records a deletion. */
  sha: string | null;
}

export class RefStore {
  private readonly current = new Map<string, string>();
  private readonly changes = new Map<string, RefChange[]>();

  get(name: string, asOf?: Date): string | undefined {
    if (asOf === undefined) {
      return this.current.get(name);
    }
    const history = this.changes.get(name) ?? [];
    let sha: string | null = null;
    for (const change of history) {
      if (change.at.getTime() > asOf.getTime()) {
        break;
      }
      sha = change.sha;
    }
    return sha ?? undefined;
  }

  set(name: string, sha: string | null, at: Date): void {
    if (sha === null) {
      this.current.delete(name);
    } else {
      this.current.set(name, sha);
    }
    const history = this.changes.get(name) ?? [];
    history.push({ at, sha });
    this.changes.set(name, history);
  }

  /** Names of refs (as of `asOf`) that start with `prefix`, sorted as git sorts them. */
  names(prefix = '', asOf?: Date): string[] {
    const pool = asOf === undefined ? [...this.current.keys()] : [...this.changes.keys()];
    return pool
      .filter((name) => name.startsWith(prefix) && this.get(name, asOf) !== undefined)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  history(name: string): RefChange[] {
    return (this.changes.get(name) ?? []).map((c) => ({ at: new Date(c.at), sha: c.sha }));
  }

  get isEmpty(): boolean {
    return this.current.size === 0;
  }
}
