namespace Attend.Tensors.Kernels;

/// <summary>
/// Persistent workers for splitting one kernel call across cores. A call hands each worker a function
/// pointer and a pointer to a job on the caller's stack, runs part 0 itself and spins until the others
/// finish: no delegates, no allocation, no thread-pool queueing per call. If another thread is already
/// using the workers, the caller simply runs every part itself.
/// </summary>
internal static unsafe class GemmThreads
{
    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static int _pending;

    /// <summary>Runs body(job, 0..parts-1), in parallel where workers are free; returns when all are done.</summary>
    public static void Run(delegate*<void*, int, void> body, void* job, int parts)
    {
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            for (int t = 0; t < parts; t++) body(job, t);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            Volatile.Write(ref _pending, parts - 1);
            for (int t = 1; t < parts; t++) _workers[t - 1].Start(body, job, t);
            body(job, 0);
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(_workers, grown, _workers.Length);
        for (int i = _workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
        _workers = grown;
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _go = new(0);
        private delegate*<void*, int, void> _body;
        private void* _job;
        private int _part;

        public Worker(int id)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Attend GEMM worker {id}" };
            thread.Start();
        }

        public void Start(delegate*<void*, int, void> body, void* job, int part)
        {
            _body = body;
            _job = job;
            _part = part;
            _go.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                try { _body(_job, _part); }
                finally { Interlocked.Decrement(ref _pending); }
            }
        }
    }
}
