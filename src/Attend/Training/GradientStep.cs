using Attend.Model;
using Attend.Tensors;

namespace Attend.Training;

/// <summary>
/// The gradient of one update over several batches (<c>training.accumulate</c>): each batch's mean loss is
/// weighted by its share of the group's target tokens before its backward pass, so the summed gradients, and the
/// returned loss, are those of one batch holding all the pairs (the token-mean loss), up to float rounding.
/// </summary>
internal static class GradientStep
{
    /// <summary>
    /// Runs forward and backward for each batch, adding into the parameters' gradients (the caller zeroes them
    /// first); <paramref name="targetTokens"/> are each batch's non-padding target tokens. Returns the loss.
    /// <paramref name="updateTokens"/>, when given, is the target tokens of the whole update when these batches are
    /// only this process's part of it (data-parallel ranks): each loss is then weighted by its share of that.
    /// </summary>
    public static double Accumulate(Seq2Seq model, IReadOnlyList<Seq2SeqBatch> batches, IReadOnlyList<long> targetTokens,
        ForwardOptions options, float labelSmoothing, long? updateTokens = null)
    {
        if (batches.Count != targetTokens.Count) throw new ArgumentException("one token count per batch");
        double total = updateTokens ?? targetTokens.Sum(), value = 0;
        for (int i = 0; i < batches.Count; i++)
        {
            var loss = model.Loss(batches[i], options, labelSmoothing);
            if (batches.Count > 1 || updateTokens is not null) loss = Ops.Scale(loss, (float)(targetTokens[i] / total));
            value += loss.Data[0];
            loss.Backward(keepValues: false); // nothing below reads an activation: the pass frees them as it goes
        }
        return value;
    }
}
