/** Redis did not answer a command's first connection: the command stops before it asks for anything. */
export class RedisUnreachableError extends Error {
  constructor(
    /** Where Redis was looked for, without credentials. */
    readonly where: string,
    cause: string,
  ) {
    super(`cannot reach Redis at ${where} (${cause}); start it or correct REDIS_URL`);
    this.name = 'RedisUnreachableError';
  }
}
