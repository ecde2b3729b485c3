/** Column names as DuckDB's readers make them unique, shared by read_json's and read_csv's rules. */

/** Lower case for ASCII letters only, as DuckDB compares names (`É` and `é` are two names to it). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)) : s;
}

/**
 * Names made unique regardless of case, as DuckDB 1.4's readers do (measured): a name taken before
 * (in any case) gets `_n`, n counting how often that name was taken (`id`, `ID_1`, `Id_2`), and
 * while the result is taken too, that gets its own `_n` (`x_1_1` when `x_1` is a name already).
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  // How often each name (in lower case) was taken: the next suffix to try when it is taken again.
  const taken = new Map<string, number>();
  return names.map((given) => {
    let name = given;
    for (let count = taken.get(asciiLower(name)); count !== undefined; count = taken.get(asciiLower(name))) {
      taken.set(asciiLower(name), count + 1);
      name = `${name}_${count}`;
    }
    taken.set(asciiLower(name), 1);
    return name;
  });
}
