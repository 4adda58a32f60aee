// The communicator of a process that runs alone: every collective is the identity.
namespace Attend.Tensors.Distributed;

/// <summary>A group of one process: sums and broadcasts leave the values as they are.</summary>
public sealed class SingleProcess : ICommunicator
{
    /// <summary>The one instance.</summary>
    public static SingleProcess Instance { get; } = new();

    private SingleProcess() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void SumInPlace(Span<float> values) { }

    /// <inheritdoc/>
    public void SumInPlace(Span<double> values) { }

    /// <inheritdoc/>
    public void MaxInPlace(Span<double> values) { }

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, int root = 0) => CheckRoot(root);

    /// <inheritdoc/>
    public void Broadcast(Span<byte> bytes, int root = 0) => CheckRoot(root);

    /// <inheritdoc/>
    public byte[] Gather(ReadOnlySpan<byte> bytes, int root = 0)
    {
        CheckRoot(root);
        return bytes.ToArray();
    }

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);

    /// <inheritdoc/>
    public void Dispose() { }

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), root, "a single process has only rank 0");
    }
}
