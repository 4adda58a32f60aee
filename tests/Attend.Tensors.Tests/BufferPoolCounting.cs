namespace Attend.Tensors.Tests;

/// <summary>
/// Tests that count misses of the shared <see cref="BufferPool"/> run in this collection: alone, after
/// the parallel tests, because any other test renting from the pool at the same time would change the count.
/// </summary>
[CollectionDefinition(nameof(BufferPoolCounting), DisableParallelization = true)]
public sealed class BufferPoolCounting;
