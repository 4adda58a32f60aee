// The SHA-256 of a file, as every manifest, sidecar and trainer state of Attend records it: lowercase hex.
using System.Security.Cryptography;

namespace Attend.Tensors.IO;

/// <summary>Hashes of files on disk.</summary>
public static class FileHash
{
    /// <summary>The SHA-256 of the file's bytes as 64 lowercase hex digits (streamed; the file is not held in memory).</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
