namespace Attend.Corpus;

/// <summary>
/// Maps chunks on pool threads, at most <c>inFlight</c> at once, and hands the results back in input order: the
/// caller's thread reads the input and consumes the output while the other cores do the mapping.
/// </summary>
internal static class OrderedParallel
{
    public static IEnumerable<TOut> Map<TIn, TOut>(IEnumerable<TIn> chunks, Func<TIn, TOut> map, int inFlight)
    {
        var pending = new Queue<Task<TOut>>();
        try
        {
            foreach (var chunk in chunks)
            {
                var c = chunk;
                pending.Enqueue(Task.Run(() => map(c)));
                if (pending.Count >= inFlight) yield return pending.Dequeue().GetAwaiter().GetResult();
            }
            while (pending.Count > 0) yield return pending.Dequeue().GetAwaiter().GetResult();
        }
        finally
        {
            // Abandoned early (an error downstream): let the started chunks finish so none outlives the caller.
            foreach (var t in pending) try { t.Wait(); } catch (AggregateException) { }
        }
    }

    /// <summary>Cuts a stream into arrays of <paramref name="size"/> items (the last may be shorter).</summary>
    public static IEnumerable<T[]> Chunks<T>(IEnumerable<T> items, int size)
    {
        var chunk = new List<T>(size);
        foreach (var item in items)
        {
            chunk.Add(item);
            if (chunk.Count == size) { yield return [.. chunk]; chunk.Clear(); }
        }
        if (chunk.Count > 0) yield return [.. chunk];
    }
}
