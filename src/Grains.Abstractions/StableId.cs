using System.Security.Cryptography;
using System.Text;

namespace Actors.Contracts;

/// <summary>Name-based UUIDs (RFC 9562 version 8 from SHA-256): the same name always gives the same id.</summary>
public static class StableId
{
    public static Guid Create(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The billing.provision job of a candidate: one per candidate, so it is never submitted twice.</summary>
    public static Guid ProvisioningJob(Guid candidateId) => Create("billing.provision", candidateId.ToString());
}
