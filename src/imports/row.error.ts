/**
 * Why one row cannot be imported. `column` is null when the row as a whole is wrong (unreadable
 * record, wrong column count). Thrown by row parsers, caught by the import runner.
 */
export class RowError extends Error {
  constructor(
    readonly column: string | null,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'RowError';
  }
}
