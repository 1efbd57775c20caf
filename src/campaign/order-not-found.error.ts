export class OrderNotFoundError extends Error {
  constructor(id: number) {
    super(`order ${id} does not exist`);
    this.name = 'OrderNotFoundError';
  }
}
