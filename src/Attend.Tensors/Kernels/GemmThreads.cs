using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Attend.Tensors.Kernels;

/// <summary>
/// Persistent workers for splitting one kernel call across cores: every GEMM, and the row-parallel passes
/// (<see cref="RowParallel"/>, the optimizer's slices) through <see cref="For"/>. A call hands each worker a
/// function pointer and a pointer to a job on the caller's stack, runs part 0 itself and spins until the
/// others finish: no delegates, no allocation, no thread-pool queueing per call. If another call already
/// holds the workers (another thread, or a kernel called from inside a part), the caller runs every part itself.
/// </summary>
/// <remarks>
/// A worker spins for <see cref="SpinTicks"/> after each part before it blocks: a training or decoding step
/// is hundreds of calls with serial work between them, and waking a blocked thread costs about as much
/// as a small product (`Attend.Bench gemm --gap-us 3000`: [64, 512]·[512, 1536] on two threads 0.82 ms
/// against 0.58 with the worker still spinning, 1.08 on one thread). OpenMP runtimes spin the same way
/// (GOMP_SPINCOUNT).
/// </remarks>
internal static unsafe class GemmThreads
{
    private static int _busy; // 1 while a call holds the workers; not reentrant, unlike a Monitor
    private static Worker[] _workers = [];
    private static int _pending;

    /// <summary>How long an idle worker spins before it blocks (2 ms).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500;

    /// <summary>Runs body(job, 0..parts-1), in parallel where workers are free; returns when all are done.</summary>
    public static void Run(delegate*<void*, int, void> body, void* job, int parts)
    {
        if (!TryRun(body, job, parts))
            for (int t = 0; t < parts; t++) body(job, t);
    }

    /// <summary>As <see cref="Run"/> when the workers are free (true); runs nothing and returns false when they are held.</summary>
    private static bool TryRun(delegate*<void*, int, void> body, void* job, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
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
            Volatile.Write(ref _busy, 0);
        }
        return true;
    }

    /// <summary>
    /// body(0..count-1) on up to <see cref="Parallelism.MaxThreads"/> threads, each taking the next unclaimed
    /// index; the first exception any of them throws is rethrown here once all are done.
    /// </summary>
    public static void For(int count, Action<int> body)
    {
        int parts = Math.Min(count, Parallelism.MaxThreads);
        if (parts <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        RunParts(count, body, parts);
    }

    /// <summary>
    /// body(0..count-1) each on its own thread, all at once, or nothing and false when that cannot be had
    /// (fewer than <paramref name="count"/> threads allowed, or the workers held by another call): for parts that
    /// wait on one another, which would never finish if they ran in turn.
    /// </summary>
    public static bool TryForEachAtOnce(int count, Action<int> body)
    {
        if (count < 2 || count > Parallelism.MaxThreads || Volatile.Read(ref _busy) != 0) return false;
        return RunParts(count, body, count, exclusive: true);
    }

    private static bool RunParts(int count, Action<int> body, int parts, bool exclusive = false)
    {
        var call = new ForCall(body, count);
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(call);
        try
        {
            var job = new ForJob { Call = System.Runtime.InteropServices.GCHandle.ToIntPtr(handle) };
            if (exclusive && !TryRun(&RunFor, &job, parts)) return false;
            if (!exclusive) Run(&RunFor, &job, parts);
        }
        finally
        {
            handle.Free();
        }
        if (call.Error is not null) call.Error.Throw();
        return true;
    }

    private sealed class ForCall(Action<int> body, int count)
    {
        public readonly Action<int> Body = body;
        public readonly int Count = count;
        public int Next;
        public ExceptionDispatchInfo? Error;
    }

    private struct ForJob { public nint Call; }

    private static void RunFor(void* state, int part)
    {
        var call = (ForCall)System.Runtime.InteropServices.GCHandle.FromIntPtr(((ForJob*)state)->Call).Target!;
        int i;
        while ((i = Interlocked.Increment(ref call.Next) - 1) < call.Count)
        {
            try { call.Body(i); }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref call.Error, ExceptionDispatchInfo.Capture(e), null);
                call.Next = call.Count; // the others stop at their next claim
            }
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
        private int _ready;    // 1 when a part has been handed over and not yet taken
        private int _sleeping; // 1 while the worker is (about to be) blocked on _go

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
            Interlocked.Exchange(ref _ready, 1);
            // Wake it only if it has gone to sleep; a spinning worker sees _ready by itself.
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _go.Release();
        }

        private void Loop()
        {
            while (true)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                for (int i = 0; Volatile.Read(ref _ready) == 0; i++)
                {
                    if ((i & 63) == 63)
                    {
                        if (Stopwatch.GetTimestamp() > until)
                        {
                            // Announce the sleep, then look once more: a part handed over in between is
                            // either seen here or wakes the semaphore (a spare release only costs one extra spin).
                            Interlocked.Exchange(ref _sleeping, 1);
                            if (Volatile.Read(ref _ready) == 0) _go.Wait();
                            Interlocked.Exchange(ref _sleeping, 0);
                            until = Stopwatch.GetTimestamp() + SpinTicks;
                        }
                        else Thread.Yield(); // let another thread of this core run
                    }
                    else Thread.SpinWait(20);
                }
                Volatile.Write(ref _ready, 0);
                try { _body(_job, _part); }
                finally { Interlocked.Decrement(ref _pending); }
            }
        }
    }
}
