using Attend.Tensors.Kernels;

namespace Attend.Tensors;

/// <summary>A weight's copy packed for the GEMM while a <see cref="PackedWeights"/> holds it (<see cref="GemmPrepacked"/>).</summary>
public sealed partial class Tensor
{
    private GemmPrepacked? _packed; // while held
    private int _packedHolds;
    private static readonly object PackLock = new(); // holds are taken once per decoding batch, not per op

    /// <summary>The packed copy while it is held (and so holds the current values), else null.</summary>
    internal GemmPrepacked? Packed => Volatile.Read(ref _packedHolds) > 0 ? _packed : null;

    /// <summary>Takes a hold on the packed copy, packing the current values when nothing held it.</summary>
    internal void HoldPacked()
    {
        lock (PackLock)
        {
            if (_packedHolds == 0)
            {
                _packed = GemmPrepacked.Rent(Shape[0], Shape[1]);
                _packed.Pack(Data);
            }
            Volatile.Write(ref _packedHolds, _packedHolds + 1);
        }
    }

    /// <summary>
    /// Releases a hold. The last one gives the packed copy back to the spares (<see cref="GemmPrepacked.Return"/>),
    /// for the next hold of a weight of that size (the next batch's) to pack into.
    /// </summary>
    internal void ReleasePacked()
    {
        lock (PackLock)
        {
            Volatile.Write(ref _packedHolds, Math.Max(0, _packedHolds - 1));
            if (_packedHolds == 0 && _packed is not null)
            {
                GemmPrepacked.Return(_packed);
                _packed = null;
            }
        }
    }
}
