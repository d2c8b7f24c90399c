namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.SmtpSettings")]
public sealed record SmtpSettings
{
    [Id(0)] public string? Host { get; init; }
    [Id(1)] public int Port { get; init; } = 587;
    [Id(2)] public string? Username { get; init; }
    [Id(3)] public string? Password { get; init; }
    [Id(4)] public string? FromAddress { get; init; }
    [Id(5)] public bool UseTls { get; init; } = true;

    // ToString (logs, exception messages, anything printing a TenantInfo) never prints the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Host = ").Append(Host).Append(", Port = ").Append(Port).Append(", Username = ").Append(Username)
            .Append(", Password = ").Append(Password is null ? "null" : "***").Append(", FromAddress = ").Append(FromAddress)
            .Append(", UseTls = ").Append(UseTls);
        return true;
    }
}
