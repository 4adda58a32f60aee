using System.Threading.Channels;
using Attend.Decoding;
using Attend.Training;

namespace Attend.Server.Translate;

/// <summary>
/// Requests wait in one queue; each of <c>workers</c> threads takes whatever is waiting (up to
/// <c>maxBatch</c> sentences), groups it by search options and decodes each group as one batch, so
/// concurrent requests share the matrix products of a step. No request waits for a batch to fill:
/// a lone request decodes at once, and the queue grows only while the workers are busy.
/// </summary>
public sealed class BatchingDecoder : ISentenceDecoder, IDisposable
{
    private sealed record Job(IReadOnlyList<string[]> Sources, SearchOptions Search, CancellationToken Ct,
        TaskCompletionSource<List<TextHypothesis[]>> Done);

    private readonly LoadedModel _model;
    private readonly int _maxBatch;
    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Task[] _workers;

    public BatchingDecoder(LoadedModel model, int maxBatch, int workers)
    {
        _model = model;
        _maxBatch = maxBatch;
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>Decoded sentences of the batches run so far (for tests and the benchmark's report).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    private long _batches;

    public Task<List<TextHypothesis[]>> DecodeAsync(IReadOnlyList<string[]> sources, SearchOptions search, CancellationToken ct)
    {
        var job = new Job(sources, search, ct, new TaskCompletionSource<List<TextHypothesis[]>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(job)) throw new ObjectDisposedException(nameof(BatchingDecoder));
        return job.Done.Task;
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        var jobs = new List<Job>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            jobs.Clear();
            for (int sentences = 0; sentences < _maxBatch && reader.TryRead(out var job);)
            {
                if (job.Ct.IsCancellationRequested) { job.Done.TrySetCanceled(job.Ct); continue; }
                jobs.Add(job);
                sentences += job.Sources.Count;
            }
            foreach (var group in jobs.GroupBy(j => j.Search)) Decode(group.Key, group.ToList());
        }
    }

    private void Decode(SearchOptions search, List<Job> jobs)
    {
        try
        {
            var all = TextTranslator.Translate(_model, [_model.Model], jobs.SelectMany(j => j.Sources).ToList(), search);
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

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        Task.WaitAll(_workers, TimeSpan.FromSeconds(10));
    }
}
