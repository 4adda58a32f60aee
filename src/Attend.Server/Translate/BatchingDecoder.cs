using System.Collections.Concurrent;
using Attend.Decoding;
using Attend.Runs;

namespace Attend.Server.Translate;

/// <summary>
/// Concurrent requests share batches. Every request joins one queue; if fewer than <c>workers</c> decodes
/// are running, the request's own thread becomes a drainer: it takes whatever is waiting (up to
/// <c>maxBatch</c> sentences), groups it by search options and decodes each group as one padded batch, so
/// concurrent requests share the matrix products of every decoder step. A lone request is therefore
/// decoded at once on its own thread, with no hand-off; under load the queue fills while the drainers
/// are busy and the next batch takes it all. Once its own sentences are done, a drainer hands the rest
/// of the queue to a thread-pool thread and returns, so no request serves others for long. A group whose
/// padded batches would hold more than <c>maxAttention</c> attention weights in the worst case is decoded in
/// parts that each fit (one request alone always does: the endpoint checked it), so a short request joined
/// to a long one is not padded past the budget.
/// </summary>
internal sealed class BatchingDecoder(LoadedModel model, int maxBatch, int workers, long maxAttention = long.MaxValue) : ISentenceDecoder
{
    private sealed record Job(IReadOnlyList<string[]> Sources, SearchOptions Search, CancellationToken Ct,
        TaskCompletionSource<List<TextHypothesis[]>> Done);

    private readonly ConcurrentQueue<Job> _queue = new();
    private int _active;
    private long _batches;

    /// <summary>Batched decodes run so far (the benchmark reports how many requests shared one).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct)
    {
        var job = new Job(sources, search, ct, new TaskCompletionSource<List<TextHypothesis[]>>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(job);
        if (TryEnter()) Drain(job);
        return job.Done.Task;
    }

    private bool TryEnter()
    {
        for (int a; (a = Volatile.Read(ref _active)) < workers;)
            if (Interlocked.CompareExchange(ref _active, a + 1, a) == a) return true;
        return false;
    }

    /// <summary>Decodes batches while the queue has work; <paramref name="mine"/> is the caller's job (null on a pool thread).</summary>
    private void Drain(Job? mine)
    {
        while (true)
        {
            while (TakeBatch(out var jobs))
            {
                foreach (var group in jobs.GroupBy(j => j.Search))
                    foreach (var part in Parts(group.ToList(), j => j.Sources, group.Key, maxAttention)) Decode(group.Key, part);
                if (mine is not null && mine.Done.Task.IsCompleted)
                {
                    if (_queue.IsEmpty) break;
                    // The caller's answer is ready: let a pool thread carry on with this slot.
                    ThreadPool.UnsafeQueueUserWorkItem(_ => Drain(null), null);
                    return;
                }
            }
            Interlocked.Decrement(ref _active);
            // A job queued after the last TakeBatch by a request that found every slot taken would wait
            // for nobody: look again after giving the slot back.
            if (_queue.IsEmpty || !TryEnter()) return;
            mine = null;
        }
    }

    private bool TakeBatch(out List<Job> jobs)
    {
        jobs = [];
        for (int sentences = 0; sentences < maxBatch && _queue.TryDequeue(out var job);)
        {
            if (job.Ct.IsCancellationRequested) { job.Done.TrySetCanceled(job.Ct); continue; }
            jobs.Add(job);
            sentences += job.Sources.Count;
        }
        return jobs.Count > 0;
    }

    /// <summary>
    /// Consecutive runs of <paramref name="jobs"/> whose sentences, decoded together, hold at most
    /// <paramref name="maxAttention"/> attention weights in the worst case (<see cref="Translator.AttentionWeights"/>);
    /// a job over it on its own still gets a run of its own.
    /// </summary>
    internal static List<List<T>> Parts<T>(IReadOnlyList<T> jobs, Func<T, IReadOnlyList<string[]>> sources, SearchOptions search, long maxAttention)
    {
        var parts = new List<List<T>>();
        var lengths = new List<int>();
        foreach (var job in jobs)
        {
            var more = lengths.Concat(sources(job).Select(s => s.Length)).ToList();
            if (parts.Count == 0 || Translator.AttentionWeights(more, search) > maxAttention)
            {
                parts.Add([]);
                more = sources(job).Select(s => s.Length).ToList();
            }
            parts[^1].Add(job);
            lengths = more;
        }
        return parts;
    }

    private void Decode(SearchOptions search, List<Job> jobs)
    {
        try
        {
            var all = TextTranslator.Translate(model, [model.Model], jobs.SelectMany(j => j.Sources).ToList(), search);
            Interlocked.Increment(ref _batches);
            int start = 0;
            foreach (var job in jobs)
            {
                job.Done.TrySetResult(all.GetRange(start, job.Sources.Count));
                start += job.Sources.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var job in jobs) job.Done.TrySetException(e);
        }
    }
}
