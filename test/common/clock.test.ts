import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, systemClock, utcWallTime } from '../../src/common/clock.ts';

describe('clocks', () => {
  it('a fixed clock given text keeps its date and wall time as written, in the text\'s own offset', () => {
    const evening = fixedClock('2024-02-29T23:10:00-05:00');
    expect(evening.today()).toBe('2024-02-29');
    expect(evening.wallTime()).toEqual({ date: '20240229', time: '2310' });
    expect(evening.now().toISOString()).toBe('2024-03-01T04:10:00.000Z'); // the instant is still the instant
    expect(fixedClock('2024-09-01T12:00:00Z').wallTime()).toEqual({ date: '20240901', time: '1200' });
    expect(fixedClock('2024-09-01').wallTime()).toEqual({ date: '20240901', time: '0000' });
    expect(fixedClock(new Date('2024-09-01T07:45:00Z')).wallTime()).toEqual({ date: '20240901', time: '0745' });
    expect(utcWallTime(new Date('1999-12-31T23:59:59Z'))).toEqual({ date: '19991231', time: '2359' });
  });

  describe('the system clock', () => {
    const tz = process.env.TZ;
    afterEach(() => {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    });

    it('gives the local date and wall time of the process\'s time zone, not UTC\'s', () => {
      for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC']) {
        process.env.TZ = zone;
        const parts = (d: Date) => Object.fromEntries(new Intl.DateTimeFormat('en-US', {
          timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
        }).formatToParts(d).map((p) => [p.type, p.value]));
        // Read both within one minute (retry across a minute's turn).
        for (let attempt = 0; attempt < 3; attempt++) {
          const before = new Date();
          const wall = systemClock.wallTime();
          const today = systemClock.today();
          const p = parts(before);
          if (new Date().getUTCMinutes() !== before.getUTCMinutes()) continue;
          expect(wall).toEqual({ date: `${p.year}${p.month}${p.day}`, time: `${p.hour}${p.minute}` });
          expect(today).toBe(`${p.year}-${p.month}-${p.day}`);
          break;
        }
      }
    });
  });
});
