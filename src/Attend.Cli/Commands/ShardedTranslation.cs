// `mpirun -np N attend translate`: the input lines split across the ranks, the translations gathered by rank 0
// and written in input order, the same text a single process writes.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Attend.Tensors.Distributed;
using Attend.Tensors.IO;
using Attend.Text;

namespace Attend.Cli.Commands;

internal static class ShardedTranslation
{
    /// <summary>
    /// Rank 0 reads every input line (under mpirun only rank 0 has stdin) and sends them all to every rank; rank r
    /// translates the r-th of N contiguous blocks; rank 0 gathers the blocks' output in rank order and writes it.
    /// A sentence's translation does not depend on the batch it is decoded in, so the text equals one process's.
    /// </summary>
    public static void Translate(ICommunicator comm, TranslateCommand.Session session, int batchSize, string? inputPath, string? outputPath,
        TextWriter stdout, string? attentionPath)
    {
        var lines = Broadcast(comm, comm.Rank == 0 ? ReadAll(inputPath) : []);
        int n = lines.Length, start = (int)((long)n * comm.Rank / comm.Size), end = (int)((long)n * (comm.Rank + 1) / comm.Size);
        var mine = new StringWriter { NewLine = "\n" };
        session.Index = start;
        for (int i = start; i < end; i += batchSize)
        {
            var chunk = Enumerable.Range(i, Math.Min(batchSize, end - i)).Select(k => new TextLine(lines[k], k + 1)).ToArray();
            session.Translate(chunk, mine);
        }
        var text = comm.Gather(Encoding.UTF8.GetBytes(mine.ToString()));
        // Each rank's attention matrices as JSON objects, each followed by a comma, so the gathered bytes are the list's items.
        var items = attentionPath is null ? []
            : Encoding.UTF8.GetBytes(string.Concat(session.Matrices.Select(a =>
                JsonSerializer.Serialize(new { source = a.Source, target = a.Target, attention = a.Weights }) + ",")));
        var matrices = comm.Gather(items);
        if (comm.Rank != 0) return;
        using (var target = OutputTarget.Open(outputPath, stdout))
        {
            target.Writer.Write(Encoding.UTF8.GetString(text));
            target.Commit();
        }
        if (attentionPath is not null) AtomicFile.WriteAllText(attentionPath, "[" + Encoding.UTF8.GetString(matrices).TrimEnd(',') + "]");
    }

    private static string[] ReadAll(string? path) =>
        (path is null ? TextFile.ReadLines(Console.OpenStandardInput(), "<stdin>") : TextFile.ReadLines(path)).Select(l => l.Text).ToArray();

    /// <summary>Rank 0's lines on every rank: their count and length, then the text joined by LF (no line holds one).</summary>
    private static string[] Broadcast(ICommunicator comm, string[] lines)
    {
        var bytes = comm.Rank == 0 ? Encoding.UTF8.GetBytes(string.Join('\n', lines)) : [];
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(head, lines.Length);
        BinaryPrimitives.WriteInt64LittleEndian(head[4..], bytes.LongLength);
        comm.Broadcast(head);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (comm.Rank != 0) bytes = new byte[BinaryPrimitives.ReadInt64LittleEndian(head[4..])];
        comm.Broadcast(bytes);
        return comm.Rank == 0 ? lines : count == 0 ? [] : Encoding.UTF8.GetString(bytes).Split('\n');
    }
}
