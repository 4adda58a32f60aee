namespace Attend.Tensors;

/// <summary>
/// Reverse-mode differentiation over the graph that ops record. The graph of an unrolled RNN is tens
/// of thousands of nodes deep, so it is ordered with an explicit stack, never recursion, and parents are
/// visited in argument order so that the order of gradient accumulation is the same on every run.
/// </summary>
internal static class Autograd
{
    public static void Backward(Tensor root, Tensor? seed, bool keepValues = true)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward on {root}: it does not require grad (no input requires grad, or it was computed under GradMode.Off)");
        if (seed is null)
        {
            if (root.Length != 1)
                throw new ArgumentException($"Backward on {root} needs a seed gradient: only a one-element tensor gets the implicit seed 1");
            root.Grad[0] += 1f;
        }
        else
        {
            ShapeOf.RequireSame("Backward seed", root, seed);
            var g = root.Grad;
            var s = seed.Data;
            for (int i = 0; i < g.Length; i++) g[i] += s[i];
        }

        var order = TopologicalOrder(root);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            // A node none of whose consumers produced a gradient has nothing to pass on.
            if (t.BackwardFn is not null && t.HasGrad) t.BackwardFn();
            // Every consumer of t ran before it (reverse topological order) and t's own closure has passed
            // its gradient on, so nothing reads it again: PyTorch keeps no gradient of a non-leaf either.
            // Returning it now bounds the pass's gradient memory by what is live, not by the whole graph.
            if (!t.GradReadLater) t.ReleaseGrad();
            // Its consumers' closures and its own have run, and the nodes still to come read only their own
            // values and their parents' (which come later still): nothing in the pass reads t's values again.
            // (A node marked ValuesReadLater is read by its joint, which comes later and returns it.)
            if (!keepValues && !t.ValuesReadLater) t.ReleaseValues(keepOwn: t == root);
        }
        // The outputs of a fused multi-output op (LstmCell) are read by their joint's closure after their own
        // closures ran; their gradients are consumed here, at the end (otherwise a second Backward through a
        // shared subgraph would pass them on again).
        foreach (var t in order) if (t.GradReadLater) t.ZeroGrad();
    }

    /// <summary>Post-order of the nodes that have a backward closure: every node after all its inputs.</summary>
    internal static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int NextParent)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var parents = node.Parents;
            if (next < parents.Length)
            {
                stack.Push((node, next + 1));
                var p = parents[next];
                if (p.BackwardFn is not null && visited.Add(p)) stack.Push((p, 0));
            }
            else if (node.BackwardFn is not null)
            {
                order.Add(node);
            }
        }
        return order;
    }
}
