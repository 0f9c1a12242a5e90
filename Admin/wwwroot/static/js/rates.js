// Message rates computed from successive counters (message_count), one series per topic or channel and node, kept
// for the whole visit so a page shows a history as soon as it is opened again. nsqadmin asks Graphite for these.

const maxPoints = 90;
const series = new Map();

/**
 * Adds a sample of a monotonic counter taken at `at` (ms) and returns the series. A counter that went down was
 * emptied or deleted and created again: that interval counts as 0/s rather than a negative rate.
 */
export function sample(key, count, at) {
  if (count === null || count === undefined) {
    return series.get(key);
  }
  let entry = series.get(key);
  if (!entry) {
    entry = { last: null, points: [] };
    series.set(key, entry);
  }
  if (entry.last && at > entry.last.at) {
    const delta = count - entry.last.count;
    const rate = delta > 0 ? (delta * 1000) / (at - entry.last.at) : 0;
    entry.points.push({ at, rate });
    if (entry.points.length > maxPoints) {
      entry.points.shift();
    }
  }
  if (!entry.last || at > entry.last.at) {
    entry.last = { at, count };
  }
  return entry;
}

/** The latest rate of a series in messages/s, or null before its second sample. */
export function currentRate(key) {
  const entry = series.get(key);
  return entry && entry.points.length > 0 ? entry.points[entry.points.length - 1].rate : null;
}

/** The rate history of a series, oldest first. */
export function ratePoints(key) {
  return series.get(key)?.points ?? [];
}

export const rateKeys = {
  topic: (topic, node = '*') => `topic:${topic}@${node}`,
  channel: (topic, channel, node = '*') => `channel:${topic}/${channel}@${node}`,
  fleet: () => 'fleet',
};
