import { Writable } from 'node:stream';
import pino from 'pino';
import { withoutLoggedValues } from './logger';

/** A logged error as TypeORM wraps a PostgreSQL refusal: the statement's values in several places. */
function queryFailed(code: string, message: string): Error {
  return Object.assign(new Error(message), {
    name: 'QueryFailedError',
    parameters: ['钱多多', '13787654321'],
    driverError: { code, detail: 'Key (phone)=(13787654321) already exists.' },
  });
}

function logged(error: Error): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  withoutLoggedValues(pino({ level: 'info' }, sink)).warn({ err: error }, 'refused');
  return out;
}

describe('errors in the log', () => {
  it('keep no value of a data exception: parameters, detail, nor the value quoted in its message', () => {
    const out = logged(queryFailed('22P02', 'invalid input syntax for type uuid: "13787654321"'));
    expect(out).not.toContain('13787654321');
    expect(out).not.toContain('钱多多');
    expect(out).toContain('invalid input syntax for type uuid');
    expect(out).toContain('"code":"22P02"');
  });

  it('keep the names of what failed for other errors', () => {
    const out = logged(queryFailed('42P01', 'relation "residents_x" does not exist'));
    expect(out).toContain('residents_x');
    expect(out).not.toContain('13787654321');
  });
});
