// startPoll, under usePoll in every panel that polls the hub: answers and failures
// both reach the panel, nothing arrives once it stopped, a throwing poll is a failure.
import { describe, expect, it } from 'vitest';
import { startPoll } from '../../renderer/src/hooks/poll';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startPoll', () => {
  it('polls at once and then every period, handing each answer over', async () => {
    let n = 0;
    const values: number[] = [];
    const stop = startPoll({ periodMs: 20, poll: async () => ++n, onValue: (v) => values.push(v), onError: (e) => { throw e; } });
    await sleep(5);
    expect(values).toEqual([1]);
    await sleep(70);
    stop();
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(values).toEqual(values.map((_, i) => i + 1));
  });

  it('waits a period first when not immediate', async () => {
    const values: string[] = [];
    const stop = startPoll({ periodMs: 30, immediate: false, poll: async () => 'x', onValue: (v) => values.push(v), onError: () => undefined });
    await sleep(10);
    expect(values).toEqual([]);
    await sleep(35);
    stop();
    expect(values).toEqual(['x']);
  });

  it('hands over every failure, rejected or thrown, as an Error', async () => {
    const errors: string[] = [];
    let i = 0;
    const stop = startPoll<number>({
      periodMs: 15,
      poll: () => {
        i++;
        if (i === 1) return Promise.reject(new Error('hub gone'));
        if (i === 2) throw new Error('thrown before any request');
        return Promise.reject('a bare string');
      },
      onValue: () => { throw new Error('no value expected'); },
      onError: (e) => { expect(e).toBeInstanceOf(Error); errors.push(e.message); },
    });
    await sleep(40);
    stop();
    expect(errors.slice(0, 3)).toEqual(['hub gone', 'thrown before any request', 'a bare string']);
  });

  it('delivers nothing once stopped, not even the answer to a request under way', async () => {
    const delivered: unknown[] = [];
    let polls = 0;
    const stop = startPoll({
      periodMs: 10,
      poll: () => { polls++; return sleep(30).then(() => 'late'); },
      onValue: (v) => delivered.push(v),
      onError: (e) => delivered.push(e),
    });
    await sleep(5);
    stop();
    const pollsAtStop = polls;
    await sleep(60);
    expect(pollsAtStop).toBe(1);
    expect(polls).toBe(1);
    expect(delivered).toEqual([]);
  });
});
