import { describe, expect, it, vi } from 'vitest';
import { OwnWrites } from './own-writes.js';

const written = (resourceVersion: string) => async () => ({ metadata: { resourceVersion } });

describe('OwnWrites: telling the echo of our own writes from other changes', () => {
  it('the event carrying the version our write returned is ours; a later version is not', async () => {
    const own = new OwnWrites();
    await own.track('policy:shop/p', written('5'));
    const act = vi.fn();
    own.unlessOwn('policy:shop/p', '5', act);
    expect(act).not.toHaveBeenCalled();
    own.unlessOwn('policy:shop/p', '6', act);
    expect(act).toHaveBeenCalledTimes(1);
  });

  it('an event that arrives while the write is in flight is decided once the write returns', async () => {
    const own = new OwnWrites();
    let finish!: () => void;
    const write = own.track('telemetry:shop/t', () => new Promise<{ metadata: { resourceVersion: string } }>((resolve) => { finish = () => resolve({ metadata: { resourceVersion: '8' } }); }));
    const echo = vi.fn();
    const other = vi.fn();
    own.unlessOwn('telemetry:shop/t', '8', echo);
    own.unlessOwn('telemetry:shop/t', '7', other);
    expect(echo).not.toHaveBeenCalled();
    expect(other).not.toHaveBeenCalled();
    finish();
    await write;
    await Promise.resolve();
    expect(echo).not.toHaveBeenCalled();
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('a failed write owns nothing: the events meanwhile are acted on', async () => {
    const own = new OwnWrites();
    let fail!: () => void;
    const write = own.track('policy:shop/p', () => new Promise<never>((_, reject) => { fail = () => reject(new Error('409')); }));
    const act = vi.fn();
    own.unlessOwn('policy:shop/p', '3', act);
    fail();
    await expect(write).rejects.toThrow('409');
    await Promise.resolve();
    expect(act).toHaveBeenCalledTimes(1);
  });

  it('objects nobody wrote, or forgotten ones, are always acted on', async () => {
    const own = new OwnWrites();
    const act = vi.fn();
    own.unlessOwn('policy:shop/q', '1', act);
    await own.track('policy:shop/p', written('2'));
    own.forget('policy:shop/p');
    own.unlessOwn('policy:shop/p', '2', act);
    expect(act).toHaveBeenCalledTimes(2);
  });
});
