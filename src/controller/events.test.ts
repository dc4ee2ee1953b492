import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { EventRecorder } from './events.js';
import { policy } from './fixtures.test-helpers.js';

const p = policy('reviews', { fixed: { percentage: 5 } });
const event = (reason: string) => ({ type: 'Normal' as const, reason, message: `${reason} happened` });

describe('EventRecorder: Events in the background', () => {
  it('sends each Event on the policy, in order, without the caller waiting', async () => {
    const sent: { reason?: string; involvedObject: { name?: string; uid?: string } }[] = [];
    const recorder = new EventRecorder(async (body) => { await new Promise((r) => setTimeout(r, 5)); sent.push(body); }, { component: 'meshtrace-controller' });
    recorder.record(p, event('Applied'));
    recorder.record(p, event('Ineffective'));
    expect(sent).toEqual([]);
    await recorder.flush(1000);
    expect(sent.map((e) => e.reason)).toEqual(['Applied', 'Ineffective']);
    expect(sent[0]!.involvedObject).toMatchObject({ name: 'reviews', uid: 'uid-reviews' });
  });

  it('drops and counts new Events beyond its bound while the API server is not keeping up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const sent: string[] = [];
    const recorder = new EventRecorder(async (body) => { await gate; sent.push(body.reason!); }, { component: 'c', maxQueued: 2, concurrency: 1, log: pino({ level: 'silent' }) });
    for (const reason of ['a', 'b', 'c', 'd', 'e']) recorder.record(p, event(reason));
    release();
    await recorder.flush(1000);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(recorder.dropped).toBe(2);
  });

  it('a failing API server only costs the Events', async () => {
    const recorder = new EventRecorder(async () => { throw new Error('503'); }, { component: 'c' });
    recorder.record(p, event('Applied'));
    await recorder.flush(1000);
    expect(recorder.failed).toBe(1);
  });
});
