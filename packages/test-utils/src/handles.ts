/** Active handles by kind (Node's `process.getActiveResourcesInfo()`), leaving out listening servers. */
export function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === "TCPServerWrap") continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * The handles that stay, by kind, leaving out listening servers: the fewest seen over 30 samples 10 ms apart. The test
 * runner has short-lived timers of its own that come and go; a leaked timer or socket is there in every sample.
 */
export async function lastingHandles(): Promise<Record<string, number>> {
  let min: Record<string, number> | undefined;
  for (let i = 0; i < 30; i++) {
    const now = handles();
    if (!min) min = now;
    else
      for (const kind of new Set([...Object.keys(min), ...Object.keys(now)]))
        min[kind] = Math.min(min[kind] ?? 0, now[kind] ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return min!;
}
